package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SerialQueueTest {
  /** An executor that runs nothing until asked. */
  private static final class ManualExecutor implements java.util.concurrent.Executor {
    final Queue<Runnable> pending = new ArrayDeque<>();

    @Override
    public void execute(Runnable command) {
      pending.add(command);
    }

    void runAll() {
      Runnable next;
      while ((next = pending.poll()) != null) {
        next.run();
      }
    }
  }

  @Test
  void tasksRunInOrderOneAtATimeOnAPool() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      SerialQueue queue = new SerialQueue(pool, 10_000);
      List<Integer> order = new CopyOnWriteArrayList<>();
      AtomicInteger active = new AtomicInteger();
      AtomicInteger overlaps = new AtomicInteger();
      CountDownLatch done = new CountDownLatch(1);
      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        int n = i;
        expected.add(n);
        assertThat(
                queue.offer(
                    () -> {
                      if (active.incrementAndGet() > 1) {
                        overlaps.incrementAndGet();
                      }
                      order.add(n);
                      active.decrementAndGet();
                    }))
            .isEqualTo(SerialQueue.Offer.ACCEPTED);
      }
      queue.offerLast(done::countDown);

      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(order).isEqualTo(expected);
      assertThat(overlaps).hasValue(0);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void offersBeyondTheCapacityAreRefusedButTheLastTaskIsAlwaysAccepted() {
    ManualExecutor executor = new ManualExecutor();
    SerialQueue queue = new SerialQueue(executor, 2);
    List<String> ran = new ArrayList<>();

    assertThat(queue.offer(() -> ran.add("a"))).isEqualTo(SerialQueue.Offer.ACCEPTED);
    assertThat(queue.offer(() -> ran.add("b"))).isEqualTo(SerialQueue.Offer.ACCEPTED);
    assertThat(queue.offer(() -> ran.add("c"))).isEqualTo(SerialQueue.Offer.FULL);
    assertThat(queue.offerLast(() -> ran.add("last"))).isTrue();
    assertThat(queue.offer(() -> ran.add("d"))).isEqualTo(SerialQueue.Offer.CLOSED);
    assertThat(queue.offerLast(() -> ran.add("again"))).isFalse();
    executor.runAll();

    assertThat(ran).containsExactly("a", "b", "last");
    assertThat(queue.size()).isZero();
  }

  @Test
  void aTaskThatThrowsDoesNotStopTheTasksBehindIt() {
    ManualExecutor executor = new ManualExecutor();
    SerialQueue queue = new SerialQueue(executor, 10);
    List<String> ran = new ArrayList<>();

    queue.offer(
        () -> {
          throw new IllegalStateException("listener bug");
        });
    queue.offerLast(() -> ran.add("close"));
    executor.runAll();

    assertThat(ran).containsExactly("close");
  }

  @Test
  void aTaskThatThrowsAnErrorStillLetsTheLastTaskRun() {
    ManualExecutor executor = new ManualExecutor();
    SerialQueue queue = new SerialQueue(executor, 10);
    List<String> ran = new ArrayList<>();
    queue.offer(
        () -> {
          throw new AssertionError("bad");
        });
    queue.offerLast(() -> ran.add("close"));

    try {
      executor.pending.poll().run();
    } catch (AssertionError expected) {
      // propagates to the executor's thread, as any Error would
    }
    executor.runAll();

    assertThat(ran).containsExactly("close");
  }

  @Test
  void anInlineOfferOnAnIdleQueueRunsOnTheCallingThread() {
    ManualExecutor executor = new ManualExecutor();
    SerialQueue queue = new SerialQueue(executor, 10);
    List<String> threads = new ArrayList<>();

    assertThat(queue.offerInline(() -> threads.add(Thread.currentThread().getName())))
        .isEqualTo(SerialQueue.Offer.ACCEPTED);

    assertThat(threads).containsExactly(Thread.currentThread().getName());
    assertThat(executor.pending).isEmpty();
  }

  @Test
  void anInlineOfferWaitsBehindQueuedTasksAndKeepsTheOrder() {
    ManualExecutor executor = new ManualExecutor();
    SerialQueue queue = new SerialQueue(executor, 10);
    List<String> ran = new ArrayList<>();

    queue.offer(() -> ran.add("queued"));
    assertThat(queue.offerInline(() -> ran.add("inline"))).isEqualTo(SerialQueue.Offer.ACCEPTED);

    assertThat(ran).isEmpty(); // not run ahead of the queued task
    executor.runAll();
    assertThat(ran).containsExactly("queued", "inline");
  }

  @Test
  void tasksOfferedWhileAnInlineTaskRunsGoToTheExecutorAfterIt() {
    ManualExecutor executor = new ManualExecutor();
    SerialQueue queue = new SerialQueue(executor, 1);
    List<String> ran = new ArrayList<>();

    queue.offerInline(
        () -> {
          ran.add("inline");
          // Another thread's callbacks arrive meanwhile: they wait, bounded by the capacity.
          assertThat(queue.offer(() -> ran.add("behind"))).isEqualTo(SerialQueue.Offer.ACCEPTED);
          assertThat(queue.offerInline(() -> ran.add("full"))).isEqualTo(SerialQueue.Offer.FULL);
          assertThat(queue.offerLast(() -> ran.add("last"))).isTrue();
        });

    assertThat(ran).containsExactly("inline");
    executor.runAll();
    assertThat(ran).containsExactly("inline", "behind", "last");
    assertThat(queue.offerInline(() -> ran.add("late"))).isEqualTo(SerialQueue.Offer.CLOSED);
  }

  @Test
  void anInlineTaskThatThrowsLeavesTheQueueUsable() {
    ManualExecutor executor = new ManualExecutor();
    SerialQueue queue = new SerialQueue(executor, 10);
    List<String> ran = new ArrayList<>();

    queue.offerInline(
        () -> {
          throw new IllegalStateException("listener bug");
        });
    queue.offerInline(() -> ran.add("next"));

    assertThat(ran).containsExactly("next");
  }
}
