import { DEFAULT_SCHEME, reminderOffsetDays, schemeSchema } from './scheme';

describe('reminders.offsetDays', () => {
  const { offsetDays: _absent, ...storedBefore } = DEFAULT_SCHEME.reminders;
  const withOffsets = (offsetDays: unknown) => ({
    ...DEFAULT_SCHEME,
    reminders: { ...DEFAULT_SCHEME.reminders, offsetDays },
  });

  it('keeps a scheme stored before the field existed valid, counting calendar days', () => {
    const parsed = schemeSchema.parse({ ...DEFAULT_SCHEME, reminders: storedBefore });
    expect(parsed.reminders.offsetDays).toBeUndefined();
    expect(reminderOffsetDays(parsed.reminders)).toBe('calendar');
  });

  it('accepts working days', () => {
    expect(reminderOffsetDays(schemeSchema.parse(withOffsets('working')).reminders)).toBe('working');
  });

  it('refuses any other way of counting', () => {
    expect(schemeSchema.safeParse(withOffsets('lunar')).success).toBe(false);
  });

  it('leaves the default scheme on calendar days', () => {
    expect(DEFAULT_SCHEME.reminders.offsetDays).toBe('calendar');
  });
});
