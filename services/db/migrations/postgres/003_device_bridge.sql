-- Each device is served by one bridge (the services config lists bridges and their secrets); only
-- that bridge may deliver the device's days. NULL: registered before bridges existed, so served by
-- none until it is registered again with its bridge (seed devices are, at the next start).
ALTER TABLE devices ADD COLUMN bridge_id TEXT;
