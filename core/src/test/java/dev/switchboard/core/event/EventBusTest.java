package dev.switchboard.core.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.CloseReason;
import dev.switchboard.core.testsupport.MutableClock;
import dev.switchboard.core.voice.CallEvent;
import dev.switchboard.core.voice.CallListener;
import dev.switchboard.core.voice.CallState;
import dev.switchboard.core.webhook.WebhookRejected;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventBusTest {
  private static final long TIMEOUT_S = Recorder.TIMEOUT.toSeconds();
  private static final Clock FIXED = Clock.fixed(Ping.T0, ZoneOffset.UTC);

  private final List<EventBus> buses = new ArrayList<>();
  private final List<CountDownLatch> gates = new ArrayList<>();

  @AfterEach
  void releaseAndShutDown() throws Exception {
    gates.forEach(CountDownLatch::countDown);
    for (EventBus bus : buses) {
      bus.shutdown(Duration.ofSeconds(TIMEOUT_S)).get(TIMEOUT_S * 2, TimeUnit.SECONDS);
    }
  }

  private EventBus bus(EventBus.Builder builder) {
    EventBus bus = builder.build();
    buses.add(bus);
    return bus;
  }

  private EventBus bus() {
    return bus(EventBus.builder().clock(FIXED));
  }

  private CountDownLatch gate() {
    CountDownLatch gate = new CountDownLatch(1);
    gates.add(gate);
    return gate;
  }

  /** Waits on a latch the test controls, failing the subscriber if it never opens. */
  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(TIMEOUT_S, TimeUnit.SECONDS)) {
        throw new AssertionError("latch never opened");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static void awaitUnchecked(Recorder<?> recorder, int count) {
    try {
      recorder.awaitCount(count);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static List<Ping> pings(int fromInclusive, int toExclusive) {
    return IntStream.range(fromInclusive, toExclusive).mapToObj(Ping::of).toList();
  }

  // ---- matching -------------------------------------------------------------------------------

  @Test
  void subscribersReceiveEventsOfTheirTypeAndItsSubtypes() throws Exception {
    EventBus bus = bus();
    Recorder<CallEvent> calls = new Recorder<>();
    Recorder<CallEvent.StateChanged> stateChanges = new Recorder<>();
    Recorder<SwitchboardEvent> everything = new Recorder<>();
    Recorder<Ping> pings = new Recorder<>();
    bus.subscribe(CallEvent.class, calls);
    bus.subscribe(CallEvent.StateChanged.class, stateChanges);
    bus.subscribe(SwitchboardEvent.class, everything);
    bus.subscribe(Ping.class, pings);

    var answered =
        new CallEvent.StateChanged("CA1", CallState.RINGING, CallState.IN_PROGRESS, Ping.T0);
    var streamStarted = new CallEvent.StreamStarted("CA1", "MZ1", Ping.T0);
    var rejected =
        new WebhookRejected("https://example.test/voice", "bad signature", "10.0.0.1", Ping.T0);
    Ping ping = Ping.of(1);
    for (SwitchboardEvent e : List.of(answered, streamStarted, rejected, ping)) {
      assertThat(bus.publish(e)).isTrue();
    }

    assertThat(everything.awaitCount(4)).containsExactly(answered, streamStarted, rejected, ping);
    assertThat(calls.awaitCount(2)).containsExactly(answered, streamStarted);
    assertThat(stateChanges.awaitCount(1)).containsExactly(answered);
    assertThat(pings.awaitCount(1)).containsExactly(ping);
    assertThat(bus.shutdown(Duration.ofSeconds(TIMEOUT_S)).get(TIMEOUT_S, TimeUnit.SECONDS))
        .isTrue();
    assertThat(calls.events()).hasSize(2);
    assertThat(stateChanges.events()).hasSize(1);
    assertThat(pings.events()).hasSize(1);
  }

  @Test
  void publishIsUsableAsACallListener() throws Exception {
    EventBus bus = bus();
    Recorder<CallEvent> calls = new Recorder<>();
    bus.subscribe(CallEvent.class, calls);
    CallListener listener = bus::publish;

    var stopped =
        new CallEvent.StreamStopped(
            "CA1", "MZ1", new CloseReason(CloseReason.Code.NORMAL, ""), Ping.T0);
    listener.onEvent(stopped);

    assertThat(calls.awaitCount(1)).containsExactly(stopped);
  }

  @Test
  void publishAcceptsAnEventNobodySubscribedTo() {
    EventBus bus = bus();
    bus.subscribe(CallEvent.class, e -> {});

    assertThat(bus.publish(Ping.of(1))).isTrue();
  }

  // ---- order and serial delivery --------------------------------------------------------------

  @Test
  void eachSubscriberGetsEveryPublishersEventsInOrderAndIsNeverCalledConcurrently()
      throws Exception {
    int publishers = 4;
    int perPublisher = 500;
    EventBus bus = bus(EventBus.builder().clock(FIXED).capacity(publishers * perPublisher));
    List<Recorder<Ping>> recorders = new ArrayList<>();
    List<AtomicInteger> maxConcurrency = new ArrayList<>();
    for (int s = 0; s < 3; s++) {
      Recorder<Ping> recorder = new Recorder<>();
      AtomicInteger inside = new AtomicInteger();
      AtomicInteger max = new AtomicInteger();
      bus.subscribe(
          "s" + s,
          Ping.class,
          p -> {
            max.accumulateAndGet(inside.incrementAndGet(), Math::max);
            recorder.accept(p);
            inside.decrementAndGet();
          });
      recorders.add(recorder);
      maxConcurrency.add(max);
    }

    CyclicBarrier start = new CyclicBarrier(publishers);
    ExecutorService pool = Executors.newFixedThreadPool(publishers);
    try {
      List<CompletableFuture<Void>> done = new ArrayList<>();
      for (int p = 0; p < publishers; p++) {
        int base = p * perPublisher;
        done.add(
            CompletableFuture.runAsync(
                () -> {
                  try {
                    start.await(TIMEOUT_S, TimeUnit.SECONDS);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                  for (int i = 0; i < perPublisher; i++) {
                    bus.publish(Ping.of(base + i));
                  }
                },
                pool));
      }
      CompletableFuture.allOf(done.toArray(CompletableFuture[]::new))
          .get(TIMEOUT_S, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }

    for (int s = 0; s < recorders.size(); s++) {
      List<Ping> got = recorders.get(s).awaitCount(publishers * perPublisher);
      assertThat(got).hasSize(publishers * perPublisher);
      for (int p = 0; p < publishers; p++) {
        int base = p * perPublisher;
        List<Integer> fromPublisher =
            got.stream().map(Ping::n).filter(n -> n >= base && n < base + perPublisher).toList();
        assertThat(fromPublisher)
            .as("subscriber s%d, publisher %d", s, p)
            .isEqualTo(IntStream.range(base, base + perPublisher).boxed().toList());
      }
      assertThat(maxConcurrency.get(s).get()).as("concurrent calls of s%d", s).isEqualTo(1);
    }
  }

  @Test
  void aSubscriberMayPublishFromItsCallback() throws Exception {
    EventBus bus = bus();
    bus.subscribe(
        "workflow",
        CallEvent.StateChanged.class,
        e -> {
          if (e.current().isTerminal()) {
            bus.publish(Ping.of(99));
          }
        });
    Recorder<Ping> pings = new Recorder<>();
    bus.subscribe(Ping.class, pings);

    bus.publish(
        new CallEvent.StateChanged("CA1", CallState.IN_PROGRESS, CallState.COMPLETED, Ping.T0));

    assertThat(pings.awaitCount(1)).containsExactly(Ping.of(99));
  }

  // ---- subscriptions --------------------------------------------------------------------------

  @Test
  void aClosedSubscriptionReceivesNothingMore() throws Exception {
    EventBus bus = bus();
    Recorder<Ping> closing = new Recorder<>();
    Recorder<Ping> staying = new Recorder<>();
    Subscription subscription = bus.subscribe("closing", Ping.class, closing);
    bus.subscribe("staying", Ping.class, staying);

    bus.publish(Ping.of(1));
    closing.awaitCount(1);
    subscription.close();
    subscription.close(); // idempotent
    bus.publish(Ping.of(2));
    staying.awaitCount(2);
    assertThat(bus.shutdown(Duration.ofSeconds(TIMEOUT_S)).get(TIMEOUT_S, TimeUnit.SECONDS))
        .isTrue();

    assertThat(subscription.isClosed()).isTrue();
    assertThat(subscription.name()).isEqualTo("closing");
    assertThat(closing.events()).containsExactly(Ping.of(1));
    assertThat(staying.events()).containsExactly(Ping.of(1), Ping.of(2));
  }

  @Test
  void closingDiscardsEventsStillQueued() throws Exception {
    EventBus bus = bus();
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch gate = gate();
    Recorder<Ping> got = new Recorder<>();
    Subscription subscription =
        bus.subscribe(
            "slow",
            Ping.class,
            p -> {
              got.accept(p);
              entered.countDown();
              await(gate);
            });

    bus.publish(Ping.of(0));
    assertThat(entered.await(TIMEOUT_S, TimeUnit.SECONDS)).isTrue();
    bus.publish(Ping.of(1));
    bus.publish(Ping.of(2));
    subscription.close();
    gate.countDown();
    assertThat(bus.shutdown(Duration.ofSeconds(TIMEOUT_S)).get(TIMEOUT_S, TimeUnit.SECONDS))
        .isTrue();

    assertThat(got.events()).containsExactly(Ping.of(0));
  }

  @Test
  void aSubscriberMayCloseItsOwnSubscriptionWhileHandlingAnEvent() throws Exception {
    EventBus bus = bus();
    AtomicReference<Subscription> self = new AtomicReference<>();
    Recorder<Ping> got = new Recorder<>();
    CountDownLatch subscribed = new CountDownLatch(1);
    self.set(
        bus.subscribe(
            "once",
            Ping.class,
            p -> {
              got.accept(p);
              await(subscribed);
              self.get().close();
            }));
    subscribed.countDown();

    bus.publish(Ping.of(1));
    bus.publish(Ping.of(2));
    assertThat(bus.shutdown(Duration.ofSeconds(TIMEOUT_S)).get(TIMEOUT_S, TimeUnit.SECONDS))
        .isTrue();

    assertThat(got.events()).containsExactly(Ping.of(1));
  }

  @Test
  void generatedNamesMentionTheEventType() {
    EventBus bus = bus();

    Subscription subscription = bus.subscribe(CallEvent.class, e -> {});

    assertThat(subscription.name()).contains("CallEvent");
  }

  // ---- isolation: failures --------------------------------------------------------------------

  @Test
  void aThrowingSubscriberIsReportedKeepsReceivingAndDoesNotAffectOthers() throws Exception {
    EventBus bus = bus();
    Recorder<SwitchboardEvent> failing = new Recorder<>();
    bus.subscribe(
        "flaky",
        SwitchboardEvent.class,
        e -> {
          failing.accept(e);
          if (e instanceof Ping p && p.n() % 2 == 0) {
            throw new IllegalStateException("cannot handle " + p.n());
          }
        });
    Recorder<Ping> healthy = new Recorder<>();
    bus.subscribe("healthy", Ping.class, healthy);
    Recorder<SubscriberFailed> failures = new Recorder<>();
    bus.subscribe("monitor", SubscriberFailed.class, failures);

    pings(0, 10).forEach(bus::publish);

    assertThat(healthy.awaitCount(10)).isEqualTo(pings(0, 10));
    assertThat(failures.awaitCount(5))
        .extracting(SubscriberFailed::exceptionMessage)
        .containsExactly(
            "cannot handle 0",
            "cannot handle 2",
            "cannot handle 4",
            "cannot handle 6",
            "cannot handle 8");
    SubscriberFailed first = failures.events().get(0);
    assertThat(first.subscriber()).isEqualTo("flaky");
    assertThat(first.eventType()).isEqualTo(Ping.class.getName());
    assertThat(first.exceptionType()).isEqualTo(IllegalStateException.class.getName());
    assertThat(first.timestamp()).isEqualTo(Ping.T0);
    assertThat(bus.shutdown(Duration.ofSeconds(TIMEOUT_S)).get(TIMEOUT_S, TimeUnit.SECONDS))
        .isTrue();
    // It got every ping, and none of the reports about itself.
    assertThat(failing.events()).isEqualTo(pings(0, 10));
  }

  @Test
  void failuresWhileHandlingFailureReportsAreNotReportedAgain() throws Exception {
    EventBus bus = bus();
    Recorder<SwitchboardEvent> aSaw = new Recorder<>();
    Recorder<SwitchboardEvent> bSaw = new Recorder<>();
    bus.subscribe(
        "a",
        SwitchboardEvent.class,
        e -> {
          aSaw.accept(e);
          throw new IllegalStateException("a fails");
        });
    bus.subscribe(
        "b",
        SwitchboardEvent.class,
        e -> {
          bSaw.accept(e);
          throw new IllegalStateException("b fails");
        });
    Recorder<SubscriberFailed> failures = new Recorder<>();
    bus.subscribe("monitor", SubscriberFailed.class, failures);

    bus.publish(Ping.of(1));

    // A loop would keep the queues busy and the drain would time out.
    assertThat(bus.shutdown(Duration.ofSeconds(TIMEOUT_S)).get(TIMEOUT_S, TimeUnit.SECONDS))
        .isTrue();
    assertThat(failures.events())
        .extracting(SubscriberFailed::subscriber)
        .containsExactlyInAnyOrder("a", "b");
    // Each saw the ping and the other's failure report, in either order: the report is published
    // from the other subscriber's thread, concurrently with the ping's publication.
    assertThat(aSaw.events()).hasSize(2).contains(Ping.of(1));
    assertThat(aSaw.events())
        .filteredOn(SubscriberFailed.class::isInstance)
        .singleElement()
        .isInstanceOfSatisfying(
            SubscriberFailed.class, f -> assertThat(f.subscriber()).isEqualTo("b"));
    assertThat(bSaw.events()).hasSize(2).contains(Ping.of(1));
    assertThat(bSaw.events())
        .filteredOn(SubscriberFailed.class::isInstance)
        .singleElement()
        .isInstanceOfSatisfying(
            SubscriberFailed.class, f -> assertThat(f.subscriber()).isEqualTo("a"));
  }

  @Test
  void errorsThrownBySubscribersAreContainedToo() throws Exception {
    EventBus bus = bus();
    bus.subscribe(
        "erroring",
        Ping.class,
        p -> {
          throw new AssertionError("boom");
        });
    Recorder<SubscriberFailed> failures = new Recorder<>();
    bus.subscribe(SubscriberFailed.class, failures);

    assertThat(bus.publish(Ping.of(1))).isTrue();

    assertThat(failures.awaitCount(1).get(0).exceptionType())
        .isEqualTo(AssertionError.class.getName());
  }

  // ---- isolation: slow subscribers ------------------------------------------------------------

  @Test
  void aBlockedSubscriberOnlyFillsItsOwnQueue() throws Exception {
    int capacity = 4;
    EventBus bus = bus(EventBus.builder().clock(FIXED).capacity(capacity));
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch gate = gate();
    Recorder<Ping> blocked = new Recorder<>();
    Subscription blockedSubscription =
        bus.subscribe(
            "blocked",
            Ping.class,
            p -> {
              blocked.accept(p);
              entered.countDown();
              await(gate);
            });
    Recorder<Ping> fast = new Recorder<>();
    Subscription fastSubscription = bus.subscribe("fast", Ping.class, fast);
    Recorder<EventsDropped> drops = new Recorder<>();
    bus.subscribe("drops", EventsDropped.class, drops);

    bus.publish(Ping.of(0));
    assertThat(entered.await(TIMEOUT_S, TimeUnit.SECONDS)).isTrue();
    // The publisher never waits for the blocked subscriber (if it did, this would time out), and
    // the other subscriber gets everything. The test waits for it after each event only because
    // its queue is as small as the blocked one's.
    List<Boolean> accepted =
        CompletableFuture.supplyAsync(
                () -> {
                  List<Boolean> results = new ArrayList<>();
                  for (Ping p : pings(1, 20)) {
                    results.add(bus.publish(p));
                    awaitUnchecked(fast, p.n() + 1);
                  }
                  return results;
                })
            .get(TIMEOUT_S, TimeUnit.SECONDS);

    assertThat(accepted).containsOnly(true).hasSize(19);
    assertThat(fast.events()).isEqualTo(pings(0, 20));
    // 1..4 fit in its queue, 5..19 were dropped; the first drop is reported at once.
    assertThat(blockedSubscription.dropped()).isEqualTo(15);
    assertThat(fastSubscription.dropped()).isZero();
    assertThat(drops.awaitCount(1).get(0)).isEqualTo(new EventsDropped("blocked", 1, Ping.T0));
    assertThat(blocked.events()).containsExactly(Ping.of(0));

    gate.countDown();

    assertThat(blocked.awaitCount(1 + capacity)).isEqualTo(pings(0, 1 + capacity));
    // Once it caught up, the rest of the episode is reported in one event.
    assertThat(drops.awaitCount(2))
        .containsExactly(
            new EventsDropped("blocked", 1, Ping.T0), new EventsDropped("blocked", 14, Ping.T0));
    assertThat(bus.shutdown(Duration.ofSeconds(TIMEOUT_S)).get(TIMEOUT_S, TimeUnit.SECONDS))
        .isTrue();
    assertThat(blocked.events()).isEqualTo(pings(0, 1 + capacity));
  }

  @Test
  void dropReportsAreRateLimitedWhileDropsContinue() throws Exception {
    MutableClock clock = new MutableClock(Ping.T0);
    EventBus bus = bus(EventBus.builder().clock(clock).capacity(2));
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch gate = gate();
    Subscription stuck =
        bus.subscribe(
            "stuck",
            Ping.class,
            p -> {
              entered.countDown();
              await(gate);
            });
    Recorder<EventsDropped> drops = new Recorder<>();
    bus.subscribe(EventsDropped.class, drops);

    // The recorder's queue is small too: the test lets it catch up before each report is due.
    bus.publish(Ping.of(0));
    assertThat(entered.await(TIMEOUT_S, TimeUnit.SECONDS)).isTrue();
    bus.publish(Ping.of(1)); // queued
    bus.publish(Ping.of(2)); // queued
    bus.publish(Ping.of(3)); // dropped, reported at once
    drops.awaitCount(1);
    bus.publish(Ping.of(4)); // dropped, within the interval
    clock.advance(EventBus.DROP_REPORT_INTERVAL);
    bus.publish(Ping.of(5)); // dropped, interval passed: reported with the one before
    bus.publish(Ping.of(6)); // dropped, within the interval

    assertThat(drops.awaitCount(2))
        .containsExactly(
            new EventsDropped("stuck", 1, Ping.T0),
            new EventsDropped("stuck", 2, Ping.T0.plus(EventBus.DROP_REPORT_INTERVAL)));
    assertThat(stuck.dropped()).isEqualTo(4);

    gate.countDown();

    assertThat(drops.awaitCount(3).get(2).count()).isEqualTo(1);
    assertThat(bus.shutdown(Duration.ofSeconds(TIMEOUT_S)).get(TIMEOUT_S, TimeUnit.SECONDS))
        .isTrue();
    assertThat(drops.events()).hasSize(3);
  }

  @Test
  void droppingOneOfTheBusesOwnEventsDoesNotByItselfTriggerAReport() throws Exception {
    EventBus bus = bus(EventBus.builder().clock(FIXED).capacity(2));
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch gate = gate();
    Subscription stuck =
        bus.subscribe(
            "stuck",
            SwitchboardEvent.class,
            e -> {
              entered.countDown();
              await(gate);
            });
    Recorder<SwitchboardEvent> everything = new Recorder<>();
    bus.subscribe("everything", SwitchboardEvent.class, everything);

    // The recorder's queue is small too: the test lets it catch up after each publish.
    bus.publish(Ping.of(0));
    assertThat(entered.await(TIMEOUT_S, TimeUnit.SECONDS)).isTrue();
    everything.awaitCount(1);
    bus.publish(Ping.of(1)); // queued
    everything.awaitCount(2);
    bus.publish(Ping.of(2)); // queued: the queue is full
    everything.awaitCount(3);
    SubscriberFailed report = new SubscriberFailed("other", "x", "y", null, Ping.T0);
    bus.publish(report); // dropped for "stuck", not reported
    everything.awaitCount(4);
    bus.publish(Ping.of(3)); // dropped for "stuck" and reported, with both drops

    // A report is queued for the other subscribers before publish returns, so it would come
    // before the ping that follows it.
    assertThat(everything.awaitCount(6))
        .containsExactly(
            Ping.of(0),
            Ping.of(1),
            Ping.of(2),
            report,
            new EventsDropped("stuck", 2, Ping.T0),
            Ping.of(3));
    assertThat(stuck.dropped()).isEqualTo(2);
  }

  // ---- shutdown -------------------------------------------------------------------------------

  @Test
  void shutdownDrainsQueuedEventsWithinTheTimeoutAndRefusesNewOnes() throws Exception {
    EventBus bus = bus();
    CountDownLatch gate = gate();
    Recorder<Ping> got = new Recorder<>();
    Subscription subscription =
        bus.subscribe(
            "gated",
            Ping.class,
            p -> {
              await(gate);
              got.accept(p);
            });
    pings(0, 10).forEach(bus::publish);

    CompletableFuture<Boolean> drained = bus.shutdown(Duration.ofSeconds(TIMEOUT_S));

    assertThat(drained).isNotDone(); // the subscriber cannot finish before the gate opens
    assertThat(bus.publish(Ping.of(10))).isFalse();
    gate.countDown();
    assertThat(drained.get(TIMEOUT_S, TimeUnit.SECONDS)).isTrue();
    assertThat(got.events()).isEqualTo(pings(0, 10));
    assertThat(subscription.isClosed()).isTrue();
  }

  @Test
  void shutdownReportsAnIncompleteDrainWhenASubscriberIsStuck() throws Exception {
    ExecutorService pool = Executors.newCachedThreadPool();
    try {
      EventBus bus = bus(EventBus.builder().clock(FIXED).executor(pool));
      CountDownLatch entered = new CountDownLatch(1);
      CountDownLatch gate = gate();
      Recorder<Ping> got = new Recorder<>();
      Subscription stuck =
          bus.subscribe(
              "stuck",
              Ping.class,
              p -> {
                got.accept(p);
                entered.countDown();
                await(gate);
              });
      bus.publish(Ping.of(0));
      assertThat(entered.await(TIMEOUT_S, TimeUnit.SECONDS)).isTrue();
      bus.publish(Ping.of(1));

      boolean drained = bus.shutdown(Duration.ofMillis(100)).get(TIMEOUT_S, TimeUnit.SECONDS);

      assertThat(drained).isFalse();
      assertThat(stuck.isClosed()).isTrue();
      assertThat(bus.publish(Ping.of(2))).isFalse();
      gate.countDown();
      pool.shutdown();
      assertThat(pool.awaitTermination(TIMEOUT_S, TimeUnit.SECONDS))
          .as("a supplied executor is left running, and its tasks end")
          .isTrue();
      assertThat(got.events()).containsExactly(Ping.of(0)); // Ping 1 was discarded
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void shutdownInterruptsSubscribersStillRunningOnTheBusesOwnExecutor() throws Exception {
    EventBus bus = bus();
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    CountDownLatch never = gate();
    bus.subscribe(
        "stuck",
        Ping.class,
        p -> {
          entered.countDown();
          try {
            never.await(TIMEOUT_S * 3, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            interrupted.countDown();
            Thread.currentThread().interrupt();
          }
        });
    bus.publish(Ping.of(0));
    assertThat(entered.await(TIMEOUT_S, TimeUnit.SECONDS)).isTrue();

    assertThat(bus.shutdown(Duration.ZERO).get(TIMEOUT_S, TimeUnit.SECONDS)).isFalse();

    assertThat(interrupted.await(TIMEOUT_S, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void shutdownIsIdempotent() throws Exception {
    EventBus bus = bus();
    bus.subscribe(Ping.class, p -> {});
    bus.publish(Ping.of(1));

    CompletableFuture<Boolean> first = bus.shutdown(Duration.ofSeconds(TIMEOUT_S));
    CompletableFuture<Boolean> second = bus.shutdown(Duration.ZERO);

    assertThat(first.get(TIMEOUT_S, TimeUnit.SECONDS)).isTrue();
    assertThat(second.get(TIMEOUT_S, TimeUnit.SECONDS)).isTrue();
    assertThat(bus.shutdown(Duration.ZERO).get(TIMEOUT_S, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void shutdownOfAnIdleBusCompletesAtOnce() {
    EventBus bus = bus();
    bus.subscribe(Ping.class, p -> {});

    assertThat(bus.shutdown(Duration.ofDays(1))).isCompletedWithValue(true);
  }

  @Test
  void subscribingAfterShutdownFails() {
    EventBus bus = bus();
    bus.shutdown(Duration.ZERO);

    assertThatThrownBy(() -> bus.subscribe(Ping.class, p -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("shut down");
  }

  // ---- executor -------------------------------------------------------------------------------

  @Test
  void theDefaultExecutorRunsSubscribersOnNamedDaemonThreads() throws Exception {
    EventBus bus = EventBus.create();
    buses.add(bus);
    CompletableFuture<Thread> thread = new CompletableFuture<>();
    bus.subscribe(Ping.class, p -> thread.complete(Thread.currentThread()));

    bus.publish(Ping.of(1));

    Thread t = thread.get(TIMEOUT_S, TimeUnit.SECONDS);
    assertThat(t.isDaemon()).isTrue();
    assertThat(t.getName()).startsWith("switchboard-events-");
  }

  @Test
  void eventsAnExecutorRefusesAreCountedAsDropped() throws Exception {
    EventBus bus =
        bus(
            EventBus.builder()
                .clock(FIXED)
                .executor(
                    r -> {
                      throw new RejectedExecutionException("full");
                    }));
    Subscription subscription = bus.subscribe("refused", Ping.class, p -> {});

    assertThat(bus.publish(Ping.of(1))).isTrue();

    assertThat(subscription.dropped()).isEqualTo(1);
    assertThat(bus.shutdown(Duration.ZERO).get(TIMEOUT_S, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void manySubscribersBlockedAtOnceDoNotHoldUpAnother() throws Exception {
    EventBus bus = bus();
    CountDownLatch gate = gate();
    int blockedCount = 16;
    CountDownLatch allEntered = new CountDownLatch(blockedCount);
    for (int i = 0; i < blockedCount; i++) {
      bus.subscribe(
          "blocked-" + i,
          Ping.class,
          p -> {
            allEntered.countDown();
            await(gate);
          });
    }
    Recorder<Ping> free = new Recorder<>();
    bus.subscribe("free", Ping.class, free);

    bus.publish(Ping.of(1));

    assertThat(allEntered.await(TIMEOUT_S, TimeUnit.SECONDS)).isTrue();
    bus.publish(Ping.of(2));
    assertThat(free.awaitCount(2)).containsExactly(Ping.of(1), Ping.of(2));
  }

  // ---- validation -----------------------------------------------------------------------------

  @Test
  void theBuilderRejectsACapacityBelowOne() {
    assertThatThrownBy(() -> EventBus.builder().capacity(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("capacity");
  }

  @Test
  void subscribeRejectsABlankNameAndNullArguments() {
    EventBus bus = bus();

    assertThatThrownBy(() -> bus.subscribe(" ", Ping.class, p -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name");
    assertThatThrownBy(() -> bus.subscribe(Ping.class, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("subscriber");
    assertThatThrownBy(() -> bus.publish(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("event");
    assertThatThrownBy(() -> bus.shutdown(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout");
  }

  @Test
  void subscriberFailedCutsAnOverlongMessage() {
    String longMessage = String.join("", Collections.nCopies(2000, "x"));

    SubscriberFailed failed = new SubscriberFailed("s", "e", "x", longMessage, Ping.T0);

    assertThat(failed.exceptionMessage()).hasSize(SubscriberFailed.MAX_MESSAGE_LENGTH);
  }

  @Test
  void eventsDroppedRejectsACountBelowOne() {
    assertThatThrownBy(() -> new EventsDropped("s", 0, Ping.T0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("count");
  }
}
