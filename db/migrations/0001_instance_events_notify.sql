-- Every instance event is announced on the 'instance_events' channel at commit; web processes hold one
-- LISTEN connection each and fan the announcement out to live subscribers (server/events/hub.ts).
CREATE OR REPLACE FUNCTION lyceum_notify_instance_event() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('instance_events', json_build_object('instanceId', NEW.instance_id, 'seq', NEW.seq)::text);
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER instance_events_notify AFTER INSERT ON instance_events
  FOR EACH ROW EXECUTE FUNCTION lyceum_notify_instance_event();
