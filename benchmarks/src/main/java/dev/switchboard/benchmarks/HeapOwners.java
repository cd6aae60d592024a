package dev.switchboard.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Who holds the live heap: reads two HPROF heap dumps of the load harness (with N calls live, and
 * with none after the same run) and attributes every object to the side that can reach it.
 *
 * <pre>
 * java -Xmx8g -cp benchmarks.jar dev.switchboard.benchmarks.HeapOwners live.hprof idle.hprof N
 * </pre>
 *
 * <p>Method. Objects are reached by following instance fields and array elements from two sets of
 * roots: the system under test (the instances of {@code SwitchboardServer}, {@code
 * TwilioVoiceBackend}, {@code VoiceAgentBridge}, {@code OpenAiRealtimeAgentRuntime} and {@code
 * RawBridge}) and the load generator (the instances of {@code FakeRealtimeAgent}, {@code
 * LoadCaller}, {@code Pacer}, {@code FakeTwilioApi} and the JDK's {@code HttpClientImpl}). The walk
 * does not enter threads, thread groups, class loaders or classes (statics are shared by nature),
 * nor the referent of a weak, phantom or final reference (soft referents are followed: the
 * histogram counts them live too), nor the other side's roots. An object reached only from our
 * roots is ours; only from the load generator's, theirs; from both, shared. What neither reaches is
 * then walked from every {@code Thread} object: that is what threads hold for themselves
 * (thread-locals such as Jackson's per-thread buffers or the JDK's per-thread NIO buffer cache, the
 * {@code Thread} objects). The rest is unreached (statics, stack locals). Each of our objects is
 * also charged to its nearest holder that is not a JDK type on the path the walk first found (a
 * {@code byte[]} inside an {@code okio.Segment} is charged to {@code okio.Segment}; a {@code
 * HashMap} node inside our bridge to the bridge's class), which is how the JDK's shared types
 * (arrays, strings, collection nodes) get an owner; {@code -Dheapowners.path=<class>} prints the
 * path to three instances of a class. Sizes are shallow sizes computed as HotSpot lays objects out
 * with compressed oops and class pointers (12-byte header, 4-byte references, 8-byte alignment),
 * which is what {@code GC.class_histogram} reports to within field packing.
 */
public final class HeapOwners {
  private static final int SUT = 1;
  private static final int LOAD = 2;
  private static final int THREADS = 4;

  private static final Set<String> SUT_ROOTS =
      Set.of(
          "dev.switchboard.server.SwitchboardServer",
          "dev.switchboard.voice.twilio.TwilioVoiceBackend",
          "dev.switchboard.core.bridge.VoiceAgentBridge",
          "dev.switchboard.agent.openai.realtime.OpenAiRealtimeAgentRuntime",
          "dev.switchboard.benchmarks.RawBridge");
  private static final Set<String> LOAD_ROOTS =
      Set.of(
          "dev.switchboard.benchmarks.FakeRealtimeAgent",
          "dev.switchboard.benchmarks.LoadCaller",
          "dev.switchboard.benchmarks.Pacer",
          "dev.switchboard.testing.twilio.FakeTwilioApi",
          "jdk.internal.net.http.HttpClientImpl");
  private static final Set<String> STOP_AT =
      Set.of(
          "java.lang.Thread",
          "java.lang.ThreadGroup",
          "java.lang.ClassLoader",
          "java.security.ProtectionDomain");

  private HeapOwners() {}

  /**
   * Analyses two dumps and prints per-call figures.
   *
   * @param args live dump, idle dump, number of calls live in the first
   * @throws IOException if a dump cannot be read
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      throw new IllegalArgumentException("usage: HeapOwners <live.hprof> <idle.hprof> <calls>");
    }
    int calls = Integer.parseInt(args[2]);
    Result live = analyse(Path.of(args[0]));
    Result idle = analyse(Path.of(args[1]));
    print(live, idle, calls);
  }

  /** Bytes per key for one dump. */
  static final class Result {
    final Map<String, Long> bySide = new TreeMap<>();
    final Map<String, Long> oursByClass = new HashMap<>();
    final Map<String, Long> oursByHolder = new HashMap<>();
    final Map<String, Long> oursByComponent = new HashMap<>();
    final Map<String, Long> oursByHolderAndClass = new HashMap<>();
    final Map<String, Long> loadByClass = new HashMap<>();
    final Map<String, Long> sharedByClass = new HashMap<>();
    final Map<String, Long> unreachedByClass = new HashMap<>();
    final Map<String, Long> threadsByHolderAndClass = new HashMap<>();
    long total;
  }

  static void print(Result live, Result idle, int calls) {
    System.out.printf(
        Locale.ROOT,
        "all objects: live %.1f MB, idle %.1f MB, %.1f KB per call%n",
        live.total / 1048576.0,
        idle.total / 1048576.0,
        (live.total - idle.total) / 1024.0 / calls);
    System.out.println("\n| side | KB per call |\n|---|---|");
    for (String side : union(live.bySide, idle.bySide)) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %.2f |%n",
          side,
          (live.bySide.getOrDefault(side, 0L) - idle.bySide.getOrDefault(side, 0L))
              / 1024.0
              / calls);
    }
    table("ours, by component", live.oursByComponent, idle.oursByComponent, calls, 20);
    table(
        "ours, by holder (nearest non-JDK type)", live.oursByHolder, idle.oursByHolder, calls, 30);
    table("ours, by class", live.oursByClass, idle.oursByClass, calls, 30);
    table(
        "ours, by holder and class",
        live.oursByHolderAndClass,
        idle.oursByHolderAndClass,
        calls,
        40);
    table("load generator, by class", live.loadByClass, idle.loadByClass, calls, 15);
    table("shared, by class", live.sharedByClass, idle.sharedByClass, calls, 10);
    table(
        "only from threads, by holder and class",
        live.threadsByHolderAndClass,
        idle.threadsByHolderAndClass,
        calls,
        15);
    table("unreached, by class", live.unreachedByClass, idle.unreachedByClass, calls, 10);
  }

  /** The part of the system under test a holder belongs to. */
  static String component(String holder) {
    if (holder.startsWith("okhttp3.")
        || holder.startsWith("okio.")
        || holder.startsWith("kotlin")) {
      return "OkHttp/Okio (agent WebSocket client)";
    }
    if (holder.startsWith("org.java_websocket.")) {
      return "Java-WebSocket (server side of the media socket)";
    }
    if (holder.startsWith("dev.switchboard.server.")) {
      return "server (dev.switchboard.server)";
    }
    if (holder.startsWith("dev.switchboard.voice.")) {
      return "Twilio backend and media stream (voice-twilio)";
    }
    if (holder.startsWith("dev.switchboard.core.bridge.")) {
      return "bridge (core.bridge)";
    }
    if (holder.startsWith("dev.switchboard.agent.")) {
      return "OpenAI runtime session (agent-openai-realtime)";
    }
    if (holder.startsWith("dev.switchboard.codec.")) {
      return "codec (Transcoder, Resampler, Reframer)";
    }
    if (holder.startsWith("dev.switchboard.core.")) {
      return "core (other)";
    }
    if (holder.startsWith("com.fasterxml.")) {
      return "Jackson";
    }
    return "other: " + holder;
  }

  private static Set<String> union(Map<String, Long> a, Map<String, Long> b) {
    Set<String> keys = new java.util.TreeSet<>(a.keySet());
    keys.addAll(b.keySet());
    return keys;
  }

  private static void table(
      String title, Map<String, Long> live, Map<String, Long> idle, int calls, int top) {
    List<Map.Entry<String, Long>> rows = new ArrayList<>();
    for (String k : union(live, idle)) {
      long d = live.getOrDefault(k, 0L) - idle.getOrDefault(k, 0L);
      if (d != 0) {
        rows.add(Map.entry(k, d));
      }
    }
    rows.sort((a, b) -> Long.compare(Math.abs(b.getValue()), Math.abs(a.getValue())));
    long sum = rows.stream().mapToLong(Map.Entry::getValue).sum();
    System.out.printf(
        Locale.ROOT,
        "%n%s: %.2f KB per call in all%n| key | bytes per call |%n|---|---|%n",
        title,
        sum / 1024.0 / calls);
    for (Map.Entry<String, Long> e : rows.subList(0, Math.min(top, rows.size()))) {
      System.out.printf(
          Locale.ROOT, "| `%s` | %.0f |%n", e.getKey(), e.getValue() / (double) calls);
    }
  }

  // ---------------------------------------------------------------- HPROF reading

  private static final class ClassInfo {
    String name = "?";
    long superId;
    byte[] fieldTypes = new byte[0]; // own instance fields, in dump order
    long[] fieldNames = new long[0];
    ClassInfo superInfo;
    boolean stop;
    boolean reference; // java.lang.ref.Reference or a subclass
    boolean soft; // java.lang.ref.SoftReference or a subclass: its referent is followed
    boolean thread; // java.lang.Thread or a subclass
    int shallow = -1;
    boolean jdk;
  }

  private static final class Heap {
    int idSize;
    long headerEnd;
    final Map<Long, String> strings = new HashMap<>();
    final Map<Long, Long> classNameIds = new HashMap<>(); // class id -> name string id
    final Map<Long, ClassInfo> classes = new HashMap<>();
    final Map<String, ClassInfo> arrayClasses = new HashMap<>();
    // objects
    final LongIntMap index = new LongIntMap(1 << 22);
    int count;
    ClassInfo[] cls = new ClassInfo[1 << 20];
    int[] size = new int[1 << 20];
    int[] refStart = new int[(1 << 20) + 1];
    long[] refs = new long[1 << 22];
    int refCount;
  }

  static Result analyse(Path file) throws IOException {
    Heap h = new Heap();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long length = ch.size();
      // HPROF records may straddle map boundaries; read through a cursor over all of them.
      Cursor c = new Cursor(ch, length);
      readHeader(c, h);
      // pass 1: strings, class names, class dumps
      scan(c, h, true);
      linkClasses(h);
      c.seek(h.headerEnd);
      scan(c, h, false);
    }
    h.refStart[h.count] = h.refCount;
    return walk(h);
  }

  /** A sequential reader over a file through a moving window of mapped memory. */
  private static final class Cursor {
    private static final long WINDOW = 1L << 30;
    private final FileChannel ch;
    private final long length;
    private long base;
    private ByteBuffer buf;

    Cursor(FileChannel ch, long length) throws IOException {
      this.ch = ch;
      this.length = length;
      seek(0);
    }

    void seek(long pos) throws IOException {
      base = pos;
      buf = ch.map(FileChannel.MapMode.READ_ONLY, pos, Math.min(WINDOW, length - pos));
    }

    long position() {
      return base + buf.position();
    }

    boolean atEnd() {
      return position() >= length;
    }

    private void need(int n) throws IOException {
      if (buf.remaining() < n) {
        seek(position());
      }
    }

    int u1() throws IOException {
      need(1);
      return buf.get() & 0xff;
    }

    int u2() throws IOException {
      need(2);
      return buf.getShort() & 0xffff;
    }

    int u4() throws IOException {
      need(4);
      return buf.getInt();
    }

    long u8() throws IOException {
      need(8);
      return buf.getLong();
    }

    void skip(long n) throws IOException {
      if (buf.remaining() >= n) {
        buf.position(buf.position() + (int) n);
      } else {
        seek(position() + n);
      }
    }

    byte[] bytes(int n) throws IOException {
      need(n);
      byte[] b = new byte[n];
      buf.get(b);
      return b;
    }
  }

  private static void readHeader(Cursor c, Heap h) throws IOException {
    StringBuilder magic = new StringBuilder();
    int b;
    while ((b = c.u1()) != 0) {
      magic.append((char) b);
    }
    if (!magic.toString().startsWith("JAVA PROFILE")) {
      throw new IOException("not an HPROF file: " + magic);
    }
    h.idSize = c.u4();
    c.u8(); // timestamp
    h.headerEnd = c.position();
  }

  private static long id(Cursor c, Heap h) throws IOException {
    return h.idSize == 8 ? c.u8() : c.u4() & 0xffffffffL;
  }

  private static int valueSize(int type, Heap h) {
    switch (type) {
      case 2:
        return h.idSize;
      case 4:
      case 8:
        return 1;
      case 5:
      case 9:
        return 2;
      case 6:
      case 10:
        return 4;
      case 7:
      case 11:
        return 8;
      default:
        throw new IllegalStateException("bad HPROF type " + type);
    }
  }

  private static void scan(Cursor c, Heap h, boolean first) throws IOException {
    while (!c.atEnd()) {
      int tag = c.u1();
      c.u4(); // time
      long len = c.u4() & 0xffffffffL;
      long end = c.position() + len;
      if (first && tag == 0x01) {
        long sid = id(c, h);
        h.strings.put(sid, new String(c.bytes((int) (len - h.idSize)), "UTF-8"));
      } else if (first && tag == 0x02) {
        c.u4();
        long classId = id(c, h);
        c.u4();
        h.classNameIds.put(classId, id(c, h));
      } else if (tag == 0x0C || tag == 0x1C) {
        heapSegment(c, h, end, first);
      }
      if (c.position() != end) {
        c.seek(end);
      }
    }
  }

  private static void heapSegment(Cursor c, Heap h, long end, boolean first) throws IOException {
    int ids = h.idSize;
    while (c.position() < end) {
      int sub = c.u1();
      switch (sub) {
        case 0xFF, 0x05, 0x07 -> c.skip(ids);
        case 0x01 -> c.skip(2L * ids);
        case 0x02, 0x03, 0x08 -> c.skip(ids + 8L);
        case 0x04, 0x06 -> c.skip(ids + 4L);
        case 0x20 -> classDump(c, h, first);
        case 0x21 -> {
          long oid = id(c, h);
          c.u4();
          long classId = id(c, h);
          int n = c.u4();
          if (first) {
            c.skip(n);
          } else {
            instance(c, h, oid, classId, n);
          }
        }
        case 0x22 -> {
          long oid = id(c, h);
          c.u4();
          int n = c.u4();
          long classId = id(c, h);
          if (first) {
            c.skip((long) n * ids);
          } else {
            ClassInfo ci = h.classes.get(classId);
            int at = add(h, oid, ci, align(16 + 4L * n));
            for (int i = 0; i < n; i++) {
              long r = id(c, h);
              if (r != 0) {
                addRef(h, r);
              }
            }
            h.refStart[at + 1] = h.refCount;
          }
        }
        case 0x23 -> {
          long oid = id(c, h);
          c.u4();
          int n = c.u4();
          int type = c.u1();
          int es = valueSize(type, h);
          c.skip((long) n * es);
          if (!first) {
            String name = primitiveArrayName(type);
            ClassInfo ci = h.arrayClasses.computeIfAbsent(name, k -> named(k));
            int at = add(h, oid, ci, align(16 + (long) n * es));
            h.refStart[at + 1] = h.refCount;
          }
        }
        default ->
            throw new IOException("unknown heap dump sub-record 0x" + Integer.toHexString(sub));
      }
    }
  }

  private static ClassInfo named(String name) {
    ClassInfo ci = new ClassInfo();
    ci.name = name;
    ci.jdk = true;
    return ci;
  }

  private static String primitiveArrayName(int type) {
    return switch (type) {
      case 4 -> "boolean[]";
      case 5 -> "char[]";
      case 6 -> "float[]";
      case 7 -> "double[]";
      case 8 -> "byte[]";
      case 9 -> "short[]";
      case 10 -> "int[]";
      case 11 -> "long[]";
      default -> "?[]";
    };
  }

  private static void classDump(Cursor c, Heap h, boolean first) throws IOException {
    long classId = id(c, h);
    c.u4();
    long superId = id(c, h);
    for (int i = 0; i < 5; i++) {
      id(c, h);
    }
    c.u4(); // instance size
    int cp = c.u2();
    for (int i = 0; i < cp; i++) {
      c.u2();
      c.skip(valueSize(c.u1(), h));
    }
    int statics = c.u2();
    for (int i = 0; i < statics; i++) {
      id(c, h);
      c.skip(valueSize(c.u1(), h));
    }
    int fields = c.u2();
    byte[] types = new byte[fields];
    long[] names = new long[fields];
    for (int i = 0; i < fields; i++) {
      names[i] = id(c, h);
      types[i] = (byte) c.u1();
    }
    if (first) {
      ClassInfo ci = new ClassInfo();
      ci.superId = superId;
      ci.fieldTypes = types;
      ci.fieldNames = names;
      h.classes.put(classId, ci);
    }
  }

  private static void linkClasses(Heap h) {
    for (Map.Entry<Long, ClassInfo> e : h.classes.entrySet()) {
      ClassInfo ci = e.getValue();
      Long nameId = h.classNameIds.get(e.getKey());
      String raw = nameId == null ? "?" : h.strings.getOrDefault(nameId, "?");
      ci.name = javaName(raw.replace('/', '.'));
      ci.superInfo = h.classes.get(ci.superId);
    }
    for (ClassInfo ci : h.classes.values()) {
      for (ClassInfo s = ci; s != null; s = s.superInfo) {
        if (STOP_AT.contains(s.name)) {
          ci.stop = true;
        }
        if (s.name.equals("java.lang.ref.Reference")) {
          ci.reference = true;
        }
        if (s.name.equals("java.lang.Thread")) {
          ci.thread = true;
        }
        if (s.name.equals("java.lang.ref.SoftReference")) {
          ci.soft = true;
        }
      }
      ci.jdk = isJdk(ci.name);
    }
  }

  /** {@code [Ljava.lang.String;} → {@code java.lang.String[]}. */
  private static String javaName(String n) {
    if (!n.startsWith("[")) {
      return n;
    }
    int dims = 0;
    while (n.charAt(dims) == '[') {
      dims++;
    }
    String elem = n.substring(dims);
    elem = elem.startsWith("L") ? elem.substring(1, elem.length() - 1) : primitive(elem);
    return elem + "[]".repeat(dims);
  }

  private static String primitive(String code) {
    return switch (code) {
      case "Z" -> "boolean";
      case "C" -> "char";
      case "F" -> "float";
      case "D" -> "double";
      case "B" -> "byte";
      case "S" -> "short";
      case "I" -> "int";
      case "J" -> "long";
      default -> code;
    };
  }

  /** JDK types have no owner of their own: they are charged to whoever holds them. */
  private static boolean isJdk(String name) {
    if (name.startsWith("jdk.internal.net.http.")) {
      return false; // the load generator's WebSocket client
    }
    return name.endsWith("[]")
        || name.startsWith("java.")
        || name.startsWith("javax.")
        || name.startsWith("sun.")
        || name.startsWith("jdk.");
  }

  private static int align(long bytes) {
    return (int) ((bytes + 7) & ~7L);
  }

  private static int shallow(ClassInfo ci, Heap h) {
    if (ci.shallow < 0) {
      long bytes = 12;
      for (ClassInfo s = ci; s != null; s = s.superInfo) {
        for (byte t : s.fieldTypes) {
          bytes += t == 2 ? 4 : valueSize(t, h);
        }
      }
      ci.shallow = align(bytes);
    }
    return ci.shallow;
  }

  private static void instance(Cursor c, Heap h, long oid, long classId, int n) throws IOException {
    ClassInfo ci = h.classes.get(classId);
    if (ci == null) {
      c.skip(n);
      return;
    }
    int at = add(h, oid, ci, shallow(ci, h));
    for (ClassInfo s = ci; s != null; s = s.superInfo) {
      boolean ref = s.name.equals("java.lang.ref.Reference") && !ci.soft;
      for (int i = 0; i < s.fieldTypes.length; i++) {
        int t = s.fieldTypes[i];
        if (t == 2) {
          long r = id(c, h);
          if (r != 0 && !(ref && "referent".equals(h.strings.get(s.fieldNames[i])))) {
            addRef(h, r);
          }
        } else {
          c.skip(valueSize(t, h));
        }
      }
    }
    h.refStart[at + 1] = h.refCount;
  }

  private static int add(Heap h, long oid, ClassInfo ci, int size) {
    int at = h.count++;
    if (h.count + 1 >= h.cls.length) {
      int n = h.cls.length * 2;
      h.cls = Arrays.copyOf(h.cls, n);
      h.size = Arrays.copyOf(h.size, n);
      h.refStart = Arrays.copyOf(h.refStart, n + 1);
    }
    h.cls[at] = ci;
    h.size[at] = size;
    h.refStart[at] = h.refCount;
    h.index.put(oid, at);
    return at;
  }

  private static void addRef(Heap h, long r) {
    if (h.refCount == h.refs.length) {
      h.refs = Arrays.copyOf(h.refs, h.refs.length * 2);
    }
    h.refs[h.refCount++] = r;
  }

  // ---------------------------------------------------------------- attribution

  private static Result walk(Heap h) {
    int n = h.count;
    byte[] side = new byte[n];
    int[] holder = new int[n]; // index of the nearest non-JDK holder (ours only), -1 none
    Arrays.fill(holder, -1);
    Set<ClassInfo> sutRoots = new HashSet<>();
    Set<ClassInfo> loadRoots = new HashSet<>();
    for (ClassInfo ci : h.classes.values()) {
      if (SUT_ROOTS.contains(ci.name)) {
        sutRoots.add(ci);
      }
      if (LOAD_ROOTS.contains(ci.name)) {
        loadRoots.add(ci);
      }
    }
    int[] parent = new int[n];
    Arrays.fill(parent, -1);
    bfs(h, side, SUT, sutRoots, loadRoots, holder, parent);
    String pathOf = System.getProperty("heapowners.path"); // print how the walk reached a class
    if (pathOf != null) {
      int shown = 0;
      for (int i = 0; i < n && shown < 3; i++) {
        if (h.cls[i].name.equals(pathOf) && side[i] == SUT) {
          StringBuilder b = new StringBuilder(pathOf);
          for (int p = parent[i]; p >= 0; p = parent[p]) {
            b.append("\n  <- ").append(h.cls[p].name);
          }
          System.out.println(b);
          shown++;
        }
      }
    }
    bfs(h, side, LOAD, loadRoots, sutRoots, null, null);
    // What neither side reaches but a thread does: thread-locals (and the threads themselves).
    Set<ClassInfo> threadClasses = new HashSet<>();
    Set<ClassInfo> bothRoots = new HashSet<>(sutRoots);
    bothRoots.addAll(loadRoots);
    for (ClassInfo ci : h.classes.values()) {
      if (ci.thread) {
        threadClasses.add(ci);
      }
    }
    int[] threadHolder = new int[n];
    Arrays.fill(threadHolder, -1);
    bfs(h, side, THREADS, threadClasses, bothRoots, threadHolder, null);
    Result r = new Result();
    for (int i = 0; i < n; i++) {
      long s = h.size[i];
      String name = h.cls[i].name;
      r.total += s;
      String label =
          switch (side[i]) {
            case SUT -> "ours (system under test)";
            case LOAD -> "load generator";
            case SUT | LOAD, SUT | LOAD | THREADS -> "shared (reached from both)";
            case SUT | THREADS -> "ours (system under test)";
            case LOAD | THREADS -> "load generator";
            case THREADS -> "only from threads (thread-locals, Thread objects)";
            default -> "unreached (statics, stacks, JDK)";
          };
      r.bySide.merge(label, s, Long::sum);
      int sd = side[i] & ~THREADS;
      if (side[i] == THREADS) {
        String holderName =
            !h.cls[i].jdk ? name : threadHolder[i] < 0 ? "(a thread)" : h.cls[threadHolder[i]].name;
        r.threadsByHolderAndClass.merge(holderName + " → " + name, s, Long::sum);
      } else if (sd == SUT) {
        r.oursByClass.merge(name, s, Long::sum);
        String holderName = !h.cls[i].jdk ? name : holder[i] < 0 ? "(root)" : h.cls[holder[i]].name;
        r.oursByHolder.merge(holderName, s, Long::sum);
        r.oursByComponent.merge(component(holderName), s, Long::sum);
        r.oursByHolderAndClass.merge(holderName + " → " + name, s, Long::sum);
      } else if (sd == LOAD) {
        r.loadByClass.merge(name, s, Long::sum);
      } else if (sd == (SUT | LOAD)) {
        r.sharedByClass.merge(name, s, Long::sum);
      } else {
        r.unreachedByClass.merge(name, s, Long::sum);
      }
    }
    return r;
  }

  private static void bfs(
      Heap h,
      byte[] side,
      int mark,
      Set<ClassInfo> roots,
      Set<ClassInfo> other,
      int[] holder,
      int[] parent) {
    BitSet seen = new BitSet(h.count);
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    for (int i = 0; i < h.count; i++) {
      if (roots.contains(h.cls[i]) && (mark != THREADS || side[i] == 0)) {
        seen.set(i);
        queue.add(i);
      }
    }
    while (!queue.isEmpty()) {
      int i = queue.poll();
      side[i] |= (byte) mark;
      int owner = h.cls[i].jdk ? (holder == null ? -1 : holder[i]) : i;
      for (int k = h.refStart[i]; k < h.refStart[i + 1]; k++) {
        int j = h.index.get(h.refs[k]);
        if (j < 0 || seen.get(j)) {
          continue;
        }
        ClassInfo cj = h.cls[j];
        if (cj.stop || other.contains(cj) || (mark == THREADS && side[j] != 0)) {
          continue;
        }
        seen.set(j);
        if (holder != null) {
          holder[j] = owner;
        }
        if (parent != null) {
          parent[j] = i;
        }
        queue.add(j);
      }
    }
  }

  /** Open addressing map from object id to index; -1 when absent. */
  private static final class LongIntMap {
    private long[] keys;
    private int[] values;
    private int size;

    LongIntMap(int capacity) {
      keys = new long[capacity];
      values = new int[capacity];
    }

    void put(long key, int value) {
      if (size * 2 >= keys.length) {
        grow();
      }
      int mask = keys.length - 1;
      int i = mix(key) & mask;
      while (keys[i] != 0 && keys[i] != key) {
        i = (i + 1) & mask;
      }
      if (keys[i] == 0) {
        size++;
      }
      keys[i] = key;
      values[i] = value;
    }

    int get(long key) {
      int mask = keys.length - 1;
      int i = mix(key) & mask;
      while (keys[i] != 0) {
        if (keys[i] == key) {
          return values[i];
        }
        i = (i + 1) & mask;
      }
      return -1;
    }

    private void grow() {
      long[] k = keys;
      int[] v = values;
      keys = new long[k.length * 2];
      values = new int[k.length * 2];
      size = 0;
      for (int i = 0; i < k.length; i++) {
        if (k[i] != 0) {
          put(k[i], v[i]);
        }
      }
    }

    private static int mix(long key) {
      long x = key * 0x9E3779B97F4A7C15L;
      return (int) (x ^ (x >>> 32));
    }
  }
}
