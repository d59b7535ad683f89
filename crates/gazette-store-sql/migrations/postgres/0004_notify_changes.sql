-- Every process of the site LISTENs on gazette_changes: a change recorded by one node reaches
-- the others when its transaction commits, as "ID:ARTICLE" (ARTICLE "*" for a site-wide change).
-- Polling the changes table stays as the fallback when a listening connection drops.
CREATE FUNCTION gazette_notify_change() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('gazette_changes',
        NEW.id::text || ':' || COALESCE(NEW.article_id::text, '*'));
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER changes_notify AFTER INSERT ON changes
    FOR EACH ROW EXECUTE FUNCTION gazette_notify_change();
