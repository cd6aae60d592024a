package dev.switchboard.examples.agents;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The calls this service started, remembered so that later Twilio status callbacks and Ultravox
 * webhooks can be logged with the request id that started them: Ultravox call id and Twilio CallSid
 * both lead to the same entry. Bounded: the oldest entries are forgotten past {@link #MAX_ENTRIES}.
 * Thread-safe. Not API.
 */
final class CallRegistry {
  /** How many calls are remembered. */
  static final int MAX_ENTRIES = 10_000;

  /**
   * One call.
   *
   * @param requestId the request that started it
   * @param agentId the Ultravox agent
   * @param ultravoxCallId the Ultravox call
   * @param callSid the Twilio call, once placed
   */
  record Entry(String requestId, String agentId, String ultravoxCallId, @Nullable String callSid) {}

  private final Object lock = new Object();
  private final Map<String, Entry> byUltravoxId = lru(); // guarded by lock
  private final Map<String, Entry> byCallSid = lru(); // guarded by lock

  void started(String ultravoxCallId, String agentId, String requestId) {
    synchronized (lock) {
      byUltravoxId.put(ultravoxCallId, new Entry(requestId, agentId, ultravoxCallId, null));
    }
  }

  void placed(String ultravoxCallId, String callSid) {
    synchronized (lock) {
      Entry entry = byUltravoxId.get(ultravoxCallId);
      if (entry != null) {
        Entry placed = new Entry(entry.requestId(), entry.agentId(), ultravoxCallId, callSid);
        byUltravoxId.put(ultravoxCallId, placed);
        byCallSid.put(callSid, placed);
      }
    }
  }

  /** The call with this Ultravox call id or Twilio CallSid, if remembered. */
  @Nullable Entry find(String id) {
    synchronized (lock) {
      Entry entry = byUltravoxId.get(id);
      return entry != null ? entry : byCallSid.get(id);
    }
  }

  private static <V> Map<String, V> lru() {
    return new LinkedHashMap<>(64, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > MAX_ENTRIES;
      }
    };
  }
}
