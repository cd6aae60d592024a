package dev.switchboard.server;

import dev.switchboard.core.webhook.WebSocketListener;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A server-side listener that records every callback, the thread it ran on and overlaps. */
class RecordingListener implements WebSocketListener {
  /** A close as the listener saw it. */
  record Closed(int code, String reason) {}

  final List<String> events = new CopyOnWriteArrayList<>();
  final List<String> threads = new CopyOnWriteArrayList<>();
  final AtomicInteger closes = new AtomicInteger();
  final AtomicInteger overlaps = new AtomicInteger();
  final CompletableFuture<Closed> closed = new CompletableFuture<>();
  private final AtomicInteger active = new AtomicInteger();

  @Override
  public void onText(String text) {
    enter();
    try {
      events.add("text:" + text);
      handle(text);
    } finally {
      active.decrementAndGet();
    }
  }

  /** Called for each frame after it is recorded; override to block, echo or throw. */
  void handle(String text) {}

  @Override
  public void onClose(int code, String reason) {
    enter();
    try {
      events.add("close:" + code);
      closes.incrementAndGet();
      closed.complete(new Closed(code, reason));
    } finally {
      active.decrementAndGet();
    }
  }

  Closed awaitClose() throws Exception {
    return closed.get(10, TimeUnit.SECONDS);
  }

  private void enter() {
    if (active.incrementAndGet() > 1) {
      overlaps.incrementAndGet();
    }
    threads.add(Thread.currentThread().getName());
  }
}
