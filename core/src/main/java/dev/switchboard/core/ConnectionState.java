package dev.switchboard.core;

/** Where a backend is in its lifecycle and how its connection to the remote service is. */
public enum ConnectionState {
  /** Created, or stopped: not serving. */
  STOPPED,
  /** {@code start()} is running: checking credentials, opening connections. */
  STARTING,
  /** Serving, and the last exchange with the remote service succeeded. */
  CONNECTED,
  /** Serving, but the remote service is failing or unreachable; calls may fail fast. */
  DISCONNECTED,
  /** {@code stop()} is running: no new work is accepted, live work is finishing. */
  STOPPING
}
