-- The summary counter of a social day's signed version (NULL: unsigned). The social service orders
-- a day's versions like the reward service: by the watch's counter first, since recordVersion is
-- the bridge's number and starts from 1 again when a bridge is reinstalled.
ALTER TABLE social_days ADD COLUMN counter INTEGER;
