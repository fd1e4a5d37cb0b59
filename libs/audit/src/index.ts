export * from './projections/stream-catalog.projection';
