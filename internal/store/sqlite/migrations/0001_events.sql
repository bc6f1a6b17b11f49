-- Security events. time is Unix nanoseconds in UTC so that it sorts, indexes
-- and round-trips exactly; details is a JSON object, NULL when empty.
CREATE TABLE events (
	id         TEXT PRIMARY KEY,
	time       INTEGER NOT NULL,
	type       TEXT NOT NULL,
	severity   INTEGER NOT NULL,
	client_ip  TEXT NOT NULL DEFAULT '',
	route      TEXT NOT NULL DEFAULT '',
	user_name  TEXT NOT NULL DEFAULT '',
	request_id TEXT NOT NULL DEFAULT '',
	node       TEXT NOT NULL DEFAULT '',
	message    TEXT NOT NULL DEFAULT '',
	details    TEXT
);

-- id ends the time indexes so "ORDER BY time DESC, id DESC LIMIT n" walks an
-- index instead of sorting.
CREATE INDEX events_time ON events (time, id);
CREATE INDEX events_type_time ON events (type, time, id);
CREATE INDEX events_request_id ON events (request_id);
CREATE INDEX events_client_ip ON events (client_ip);
