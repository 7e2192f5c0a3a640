"""Live updates: discussion events as versioned wire events, published to channels (in
process, through the database, PostgreSQL LISTEN/NOTIFY or Redis) and delivered as
Server-Sent Events, by the app itself or by a fan-out engine (nginx + Nchan, or Pushpin).
docs/realtime.md."""
