package dev.switchboard.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * A class histogram of the live heap, taken from inside the JVM through the {@code
 * DiagnosticCommand} MBean ({@code GC.class_histogram}, which runs a full GC first so only live
 * objects count), and the difference of two of them attributed by owner: our code, the libraries on
 * our side, the load generator, and the JDK's shared types (arrays, strings, collections), whose
 * holder a histogram cannot tell ({@link HeapOwners} does, from a heap dump).
 */
final class HeapHistogram {
  private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

  /** Instances and bytes of one class. */
  record Entry(long instances, long bytes) {}

  private final Map<String, Entry> classes;

  private HeapHistogram(Map<String, Entry> classes) {
    this.classes = classes;
  }

  /** Takes a histogram of the live heap now (a full GC). */
  static HeapHistogram take() throws Exception {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    String text =
        (String)
            server.invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"),
                "gcClassHistogram",
                new Object[] {new String[0]},
                new String[] {String[].class.getName()});
    return parse(text);
  }

  static HeapHistogram parse(String text) {
    Map<String, Entry> classes = new HashMap<>();
    for (String line : text.split("\n")) {
      Matcher m = ROW.matcher(line);
      if (m.find()) {
        classes.merge(
            m.group(3),
            new Entry(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))),
            (a, b) -> new Entry(a.instances + b.instances, a.bytes + b.bytes));
      }
    }
    return new HeapHistogram(classes);
  }

  long totalBytes() {
    return classes.values().stream().mapToLong(Entry::bytes).sum();
  }

  /**
   * Who owns a class's instances, by package. Java-WebSocket serves both our server and the fake
   * agent, so its classes are counted apart and split by {@link HeapOwners}.
   */
  static String owner(String className) {
    String c = className;
    if (c.startsWith("dev.switchboard.benchmarks.") || c.startsWith("dev.switchboard.testing.")) {
      return "load generator (benchmarks, testing)";
    }
    if (c.startsWith("jdk.internal.net.http.")) {
      return "load generator (JDK HTTP/WebSocket client)";
    }
    if (c.startsWith("dev.switchboard.")) {
      return "ours (dev.switchboard)";
    }
    if (c.startsWith("org.java_websocket.")) {
      return "Java-WebSocket (our server + the fake agent)";
    }
    if (c.startsWith("okhttp3.") || c.startsWith("okio.") || c.startsWith("kotlin")) {
      return "OkHttp/Okio (our agent client)";
    }
    if (c.startsWith("com.fasterxml.")) {
      return "Jackson";
    }
    return "JDK shared types";
  }

  /**
   * Prints {@code (this - base) / calls} per owner group and the classes that moved most.
   *
   * @param label what the two histograms are
   * @param top how many classes to list
   */
  void printDelta(HeapHistogram base, int calls, String label, int top) {
    Map<String, long[]> delta = new HashMap<>();
    for (Map.Entry<String, Entry> e : classes.entrySet()) {
      Entry b = base.classes.getOrDefault(e.getKey(), new Entry(0, 0));
      delta.put(
          e.getKey(),
          new long[] {e.getValue().instances - b.instances, e.getValue().bytes - b.bytes});
    }
    for (Map.Entry<String, Entry> e : base.classes.entrySet()) {
      delta.computeIfAbsent(
          e.getKey(), k -> new long[] {-e.getValue().instances, -e.getValue().bytes});
    }
    Map<String, Long> groups = new TreeMap<>();
    long total = 0;
    for (Map.Entry<String, long[]> e : delta.entrySet()) {
      groups.merge(owner(e.getKey()), e.getValue()[1], Long::sum);
      total += e.getValue()[1];
    }
    System.out.printf(
        Locale.ROOT,
        "%nLive heap by class histogram, %s: %.1f KB per call in all (%d calls)%n",
        label,
        total / 1024.0 / calls,
        calls);
    System.out.println("| owner (by class) | KB per call |");
    System.out.println("|---|---|");
    groups.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .forEach(
            e ->
                System.out.printf(
                    Locale.ROOT, "| %s | %.2f |%n", e.getKey(), e.getValue() / 1024.0 / calls));
    List<Map.Entry<String, long[]>> rows = new ArrayList<>(delta.entrySet());
    rows.sort((a, b) -> Long.compare(Math.abs(b.getValue()[1]), Math.abs(a.getValue()[1])));
    System.out.println();
    System.out.println("| class | instances per call | bytes per call | owner |");
    System.out.println("|---|---|---|---|");
    for (Map.Entry<String, long[]> e : rows.subList(0, Math.min(top, rows.size()))) {
      System.out.printf(
          Locale.ROOT,
          "| `%s` | %.2f | %.0f | %s |%n",
          e.getKey(),
          e.getValue()[0] / (double) calls,
          e.getValue()[1] / (double) calls,
          owner(e.getKey()));
    }
  }
}
