package dev.switchboard.core.store;

import java.util.List;
import java.util.Optional;

/**
 * Keeps {@link CallRecord}s by call id. An SPI: {@link InMemoryCallStore} is the default,
 * persistent implementations come in their own modules. Implementations are thread-safe; methods
 * may block on I/O, so call them from worker threads (an {@code EventBus} subscriber is one), not
 * from media or webhook threads.
 *
 * <pre>{@code
 * CallStore calls = InMemoryCallStore.create();
 * bus.subscribe("call-store", CallEvent.StateChanged.class, e ->
 *     calls.find(e.callId())
 *         .filter(r -> r.state().canMoveTo(e.current()))
 *         .ifPresent(r -> calls.save(r.withState(e.current(), e.timestamp()))));
 * }</pre>
 *
 * <p>Ids are checked at every method: a null id throws {@link NullPointerException} and a blank one
 * {@link IllegalArgumentException}, each naming the argument.
 */
public interface CallStore {
  /**
   * Saves the record, replacing any record with the same call id.
   *
   * @param record the record
   */
  void save(CallRecord record);

  /**
   * Finds a call's record.
   *
   * @param callId the call id; not blank
   * @return the record, or empty if there is none
   */
  Optional<CallRecord> find(String callId);

  /**
   * Returns the most recent records, newest {@link CallRecord#startedAt() startedAt} first; records
   * that started at the same instant come in an order of the implementation's choosing, the same on
   * every call while the store is unchanged.
   *
   * @param limit the most records to return; at least 1
   * @return up to {@code limit} records, unmodifiable
   * @throws IllegalArgumentException if the limit is less than 1
   */
  List<CallRecord> recent(int limit);

  /**
   * Deletes a call's record.
   *
   * @param callId the call id; not blank
   * @return true if there was a record
   */
  boolean delete(String callId);
}
