package dev.switchboard.core.event;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers {@link SwitchboardEvent}s to subscribers by type, each subscriber isolated from the
 * publisher and from the others. Thread-safe: any thread may publish, subscribe and close.
 *
 * <pre>{@code
 * EventBus bus = EventBus.create();
 * voice.addListener(bus::publish);        // a CallListener
 * messaging.addListener(bus::publish);    // a MessagingListener
 * bus.subscribe("call-log", CallEvent.StateChanged.class, e -> calls.record(e));
 * bus.subscribe(SubscriberFailed.class, f -> log.warn("{} failed: {}", f.subscriber(), f.exceptionType()));
 * ...
 * boolean drained = bus.shutdown(Duration.ofSeconds(5)).join();
 * }</pre>
 *
 * <p><b>Matching.</b> A subscriber receives every published event that is an instance of the type
 * it subscribed to: subscribing to {@code CallEvent} receives every call event, subscribing to
 * {@link SwitchboardEvent} receives everything, including the bus's own {@link SubscriberFailed}
 * and {@link EventsDropped}.
 *
 * <p><b>Delivery.</b> {@link #publish} never blocks and never throws because of a subscriber: it
 * puts the event on the queue of each matching subscriber and returns. Each subscriber has its own
 * bounded queue ({@link Builder#capacity}), drained on the bus's executor one event at a time: a
 * subscriber sees events in the order they were published (for events published by one thread; the
 * order of concurrent publishes is the order they reached its queue) and is never called
 * concurrently with itself, though successive events may arrive on different threads. Workflows are
 * ordinary subscribers; a subscriber may publish, subscribe and close subscriptions.
 *
 * <p><b>Isolation.</b> A subscriber that throws has the failure logged and published as a {@link
 * SubscriberFailed}, and keeps receiving later events. A slow or blocked subscriber only fills its
 * own queue: once it is full, further events for that subscriber are dropped, counted ({@link
 * Subscription#dropped()}) and reported as {@link EventsDropped}; the publisher and the other
 * subscribers carry on. With the default executor each busy subscriber gets a thread of its own, so
 * blocked subscribers never hold up the others; a {@linkplain Builder#executor supplied executor}
 * gives the same guarantee only if it can run one task per subscriber at once.
 *
 * <p><b>No feedback loops.</b> The bus's own events never cause further bus events: a subscriber
 * that throws while handling a {@link SubscriberFailed} or {@link EventsDropped} is logged, not
 * reported, and dropping one of those events is counted but does not by itself trigger a report.
 * Neither event is delivered to the subscriber it is about.
 *
 * <p><b>Shutdown.</b> {@link #shutdown(Duration)} refuses further publishes, lets the subscribers
 * work through their queues within the timeout, then closes every subscription and, if the bus
 * created its executor, shuts that down.
 */
public final class EventBus {
  private static final Logger log = LoggerFactory.getLogger(EventBus.class);

  /** The shortest time between two drop reports about one subscriber while drops continue. */
  static final Duration DROP_REPORT_INTERVAL = Duration.ofSeconds(1);

  /** How many events a subscriber handles before it yields its thread to other tasks. */
  private static final int BATCH = 64;

  private static final AtomicInteger busCount = new AtomicInteger();

  private final int capacity;
  private final Executor executor;
  private final @Nullable ExecutorService ownedExecutor;
  private final Clock clock;
  private final CopyOnWriteArrayList<Sub<?>> subscribers = new CopyOnWriteArrayList<>();
  private final AtomicLong subscriberCount = new AtomicLong();

  /**
   * Publishes in progress plus subscribers with queued or running work; shutdown has drained when
   * it reaches zero. Publishers count themselves before they look at {@link #drained}, and a
   * subscriber counts newly offered work before whoever offered it stops counting, so it cannot
   * touch zero while work remains.
   */
  private final AtomicLong pending = new AtomicLong();

  private final Object lock = new Object();

  /** Null while the bus accepts publishes; completed with whether the queues drained in time. */
  private volatile @Nullable CompletableFuture<Boolean> drained;

  /** Set once shutdown has finished: the bus's own reports are no longer delivered. */
  private volatile boolean terminated;

  private @Nullable CompletableFuture<Boolean> shutdownResult; // guarded by lock

  private EventBus(Builder builder) {
    this.capacity = builder.capacity;
    this.clock = builder.clock;
    if (builder.executor != null) {
      this.executor = builder.executor;
      this.ownedExecutor = null;
    } else {
      ExecutorService pool = defaultExecutor();
      this.executor = pool;
      this.ownedExecutor = pool;
    }
  }

  /**
   * Creates a bus with the default settings: 1024 events per subscriber queue, an internal daemon
   * thread pool, the system UTC clock.
   *
   * @return a new bus
   */
  public static EventBus create() {
    return builder().build();
  }

  /**
   * Starts configuring a bus.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Subscribes to events of a type and its subtypes, under a generated name.
   *
   * @param type the event type, e.g. {@code CallEvent.class} or {@code SwitchboardEvent.class}
   * @param subscriber called with each matching event, one at a time; should not block for long
   * @param <E> the event type
   * @return the subscription, to close to stop delivery
   * @throws IllegalStateException if the bus is shut down
   */
  public <E extends SwitchboardEvent> Subscription subscribe(
      Class<E> type, Consumer<? super E> subscriber) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(subscriber, "subscriber");
    return add(null, type, subscriber);
  }

  /**
   * Subscribes to events of a type and its subtypes under a name, which appears in logs and in the
   * bus's {@link SubscriberFailed} and {@link EventsDropped} reports.
   *
   * @param name the subscriber's name, not blank; need not be unique
   * @param type the event type, e.g. {@code CallEvent.class} or {@code SwitchboardEvent.class}
   * @param subscriber called with each matching event, one at a time; should not block for long
   * @param <E> the event type
   * @return the subscription, to close to stop delivery
   * @throws IllegalArgumentException if the name is blank
   * @throws IllegalStateException if the bus is shut down
   */
  public <E extends SwitchboardEvent> Subscription subscribe(
      String name, Class<E> type, Consumer<? super E> subscriber) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(subscriber, "subscriber");
    if (name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    return add(name, type, subscriber);
  }

  private <E extends SwitchboardEvent> Subscription add(
      @Nullable String name, Class<E> type, Consumer<? super E> subscriber) {
    if (drained != null) {
      throw new IllegalStateException("the event bus is shut down; cannot subscribe");
    }
    long n = subscriberCount.incrementAndGet();
    Sub<E> sub =
        new Sub<>(
            name != null ? name : "subscriber-" + n + "(" + type.getSimpleName() + ")",
            type,
            subscriber);
    subscribers.add(sub);
    return sub;
  }

  /**
   * Queues the event for every subscriber of its type and returns at once. Never blocks and never
   * throws because of a subscriber; a subscriber whose queue is full misses the event (see {@link
   * EventsDropped}), which does not change the result. Usable directly as a {@code CallListener} or
   * {@code MessagingListener}: {@code voice.addListener(bus::publish)}.
   *
   * @param event the event
   * @return true if the bus accepted the event (even with no subscriber for it), false if it is
   *     shut down
   */
  public boolean publish(SwitchboardEvent event) {
    Objects.requireNonNull(event, "event");
    pending.incrementAndGet();
    try {
      if (drained != null) {
        return false;
      }
      dispatch(event, null);
      return true;
    } finally {
      release();
    }
  }

  /**
   * Stops accepting publishes and lets subscribers work through their queued events, for at most
   * the timeout. Then, drained or not, closes every subscription (discarding what is still queued)
   * and, if the bus created its executor, shuts it down, interrupting subscribers still running
   * when the timeout passed. Failures and drops during the drain are still reported. Returns at
   * once; idempotent: later calls return the first call's outcome and ignore their timeout.
   *
   * <p>Do not wait on the result from inside a subscriber: the subscriber's own queue cannot drain
   * while it waits, so the wait lasts the whole timeout and the result is false.
   *
   * @param timeout how long to wait for the queues to drain; zero closes at once
   * @return completes with true if every queued event was delivered, false if the timeout passed
   *     first
   * @throws IllegalArgumentException if the timeout is negative
   */
  public CompletableFuture<Boolean> shutdown(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative, got " + timeout);
    }
    CompletableFuture<Boolean> done;
    synchronized (lock) {
      if (shutdownResult != null) {
        return shutdownResult.copy();
      }
      done = new CompletableFuture<>();
      shutdownResult = done.thenApply(this::terminate);
      drained = done;
    }
    if (pending.get() == 0) {
      done.complete(true);
    }
    long nanos;
    try {
      nanos = timeout.toNanos();
    } catch (ArithmeticException tooLong) {
      nanos = Long.MAX_VALUE;
    }
    done.completeOnTimeout(false, nanos, TimeUnit.NANOSECONDS);
    return shutdownResult.copy();
  }

  @Override
  public String toString() {
    return "EventBus{subscribers="
        + subscribers.size()
        + ", capacity="
        + capacity
        + (drained != null ? ", shut down" : "")
        + '}';
  }

  /** Offers the event to every matching subscriber but {@code exclude}, then sends any reports. */
  private void dispatch(SwitchboardEvent event, @Nullable Sub<?> exclude) {
    for (Sub<?> sub : subscribers) {
      if (sub != exclude && sub.type.isInstance(event)) {
        EventsDropped report = sub.offer(event);
        if (report != null) {
          report(report, sub);
        }
      }
    }
  }

  /** Publishes one of the bus's own events about {@code subject}, even while draining. */
  private void report(SwitchboardEvent event, Sub<?> subject) {
    if (!terminated) {
      dispatch(event, subject);
    }
  }

  /** Stops counting one unit of work; the last one completes a shutdown's drain. */
  private void release() {
    if (pending.decrementAndGet() == 0) {
      CompletableFuture<Boolean> done = drained;
      if (done != null) {
        done.complete(true);
      }
    }
  }

  private boolean terminate(boolean drainedInTime) {
    terminated = true;
    for (Sub<?> sub : subscribers) {
      sub.close();
    }
    if (ownedExecutor != null) {
      if (drainedInTime) {
        ownedExecutor.shutdown();
      } else {
        ownedExecutor.shutdownNow();
      }
    }
    if (!drainedInTime) {
      log.warn("Event bus shut down before its subscribers drained; queued events were discarded");
    }
    return drainedInTime;
  }

  private static boolean isBusEvent(SwitchboardEvent event) {
    return event instanceof SubscriberFailed || event instanceof EventsDropped;
  }

  private static ExecutorService defaultExecutor() {
    int bus = busCount.incrementAndGet();
    AtomicInteger threads = new AtomicInteger();
    ThreadFactory factory =
        r -> {
          Thread t = new Thread(r, "switchboard-events-" + bus + "-" + threads.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    // At most one thread per busy subscriber (a subscriber is drained serially), so a blocked
    // subscriber holds one thread and never starves the others; idle threads go after a minute.
    return new ThreadPoolExecutor(
        0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), factory);
  }

  /** One subscriber: its queue, its drain state and its drop accounting. */
  private final class Sub<E extends SwitchboardEvent> implements Subscription {
    final String name;
    final Class<E> type;
    private final Consumer<? super E> consumer;
    private final Object lock = new Object();
    private final ArrayDeque<SwitchboardEvent> queue = new ArrayDeque<>();
    private boolean scheduled; // a drain task is submitted or running; counted in pending
    private boolean closed;
    private long dropped;
    private long unreported;
    private @Nullable Instant lastReport;

    Sub(String name, Class<E> type, Consumer<? super E> consumer) {
      this.name = name;
      this.type = type;
      this.consumer = consumer;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public long dropped() {
      synchronized (lock) {
        return dropped;
      }
    }

    @Override
    public boolean isClosed() {
      synchronized (lock) {
        return closed;
      }
    }

    @Override
    public void close() {
      synchronized (lock) {
        if (closed) {
          return;
        }
        closed = true;
        queue.clear();
      }
      subscribers.remove(this);
      // A drain task still submitted sees the flag and stops counting itself.
    }

    /** Queues the event, or drops it; returns a drop report to publish, if one is due. */
    @Nullable EventsDropped offer(SwitchboardEvent event) {
      boolean schedule = false;
      EventsDropped report = null;
      synchronized (lock) {
        if (closed) {
          return null;
        }
        if (queue.size() >= capacity) {
          dropped++;
          unreported++;
          if (!isBusEvent(event)) {
            Instant now = clock.instant();
            if (lastReport == null || !now.isBefore(lastReport.plus(DROP_REPORT_INTERVAL))) {
              report = new EventsDropped(name, unreported, now);
              unreported = 0;
              lastReport = now;
            }
          }
        } else {
          queue.add(event);
          if (!scheduled) {
            scheduled = true;
            pending.incrementAndGet();
            schedule = true;
          }
        }
      }
      if (schedule) {
        submit();
      }
      return report;
    }

    private void submit() {
      try {
        executor.execute(this::drain);
      } catch (RejectedExecutionException e) {
        int lost;
        synchronized (lock) {
          lost = queue.size();
          dropped += lost;
          queue.clear();
          scheduled = false;
        }
        log.warn("Executor refused to run subscriber '{}'; {} events dropped", name, lost, e);
        release();
      }
    }

    private void drain() {
      for (int handled = 0; ; handled++) {
        SwitchboardEvent next;
        EventsDropped flush = null;
        synchronized (lock) {
          next = closed ? null : queue.poll();
          if (next == null) {
            if (closed || unreported == 0) {
              queue.clear();
              scheduled = false;
              break;
            }
            // Caught up: report what was dropped since the last report.
            Instant now = clock.instant();
            flush = new EventsDropped(name, unreported, now);
            unreported = 0;
            lastReport = now;
          } else if (handled >= BATCH) {
            queue.addFirst(next); // let other tasks on the executor run, then carry on
            next = null;
          }
        }
        if (next != null) {
          deliver(next);
        } else if (flush != null) {
          report(flush, this);
        } else {
          submit();
          return;
        }
      }
      release();
    }

    private void deliver(SwitchboardEvent event) {
      try {
        consumer.accept(type.cast(event));
      } catch (Throwable t) { // isolation: nothing a subscriber throws may escape
        if (isBusEvent(event)) {
          log.warn(
              "Subscriber '{}' failed on {}; not reported again",
              name,
              event.getClass().getSimpleName(),
              t);
        } else {
          log.warn("Subscriber '{}' failed on {}", name, event.getClass().getName(), t);
          report(
              new SubscriberFailed(
                  name,
                  event.getClass().getName(),
                  t.getClass().getName(),
                  t.getMessage(),
                  clock.instant()),
              this);
        }
      }
    }

    @Override
    public String toString() {
      return "Subscription{" + name + ", " + type.getSimpleName() + '}';
    }
  }

  /**
   * Configures an {@link EventBus}. Setters check only for null; {@link #build()} validates. Not
   * thread-safe.
   */
  public static final class Builder {
    private int capacity = 1024;
    private @Nullable Executor executor;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * Sets how many events may wait in each subscriber's queue; beyond that, events for the
     * subscriber are dropped. Default 1024.
     *
     * @param capacity at least 1
     * @return this builder
     */
    public Builder capacity(int capacity) {
      this.capacity = capacity;
      return this;
    }

    /**
     * Sets the executor that runs subscribers. The bus submits one task per busy subscriber at a
     * time and never shuts a supplied executor down. For blocked subscribers not to hold up the
     * others, it must be able to run a task per subscriber at once (a cached or virtual-thread
     * executor, not a small fixed pool), and it must run them on other threads: one that runs tasks
     * on the caller's thread would make {@link EventBus#publish} wait for subscribers. Default: an
     * internal pool of daemon threads, one per busy subscriber, shut down with the bus.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Sets the clock for the timestamps of the bus's own events and for rate-limiting drop reports.
     * Default {@link Clock#systemUTC()}.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the bus.
     *
     * @return the bus, accepting subscriptions and publishes
     * @throws IllegalArgumentException if {@code capacity} is less than 1
     */
    public EventBus build() {
      if (capacity < 1) {
        throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
      }
      return new EventBus(this);
    }
  }
}
