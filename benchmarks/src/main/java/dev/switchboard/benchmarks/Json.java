package dev.switchboard.benchmarks;

/**
 * Just enough reading of the flat JSON frames the two protocols use, without building a tree: the
 * load generator must cost as little as possible so the CPU figures are about the system under
 * test. Not a JSON parser: it finds the first {@code "key":"value"} and does not unescape.
 */
final class Json {
  private Json() {}

  /** The string value of the first occurrence of {@code "key":"..."}, or null. */
  static String string(String json, String key) {
    String needle = "\"" + key + "\":\"";
    int i = json.indexOf(needle);
    if (i < 0) {
      needle = "\"" + key + "\": \"";
      i = json.indexOf(needle);
      if (i < 0) {
        return null;
      }
    }
    int from = i + needle.length();
    int to = json.indexOf('"', from);
    return to < 0 ? null : json.substring(from, to);
  }

  /** The decoded byte length of the base64 string value of {@code key}, or -1 if absent. */
  static int base64Length(String json, String key) {
    String needle = "\"" + key + "\":\"";
    int i = json.indexOf(needle);
    if (i < 0) {
      return -1;
    }
    int from = i + needle.length();
    int to = json.indexOf('"', from);
    if (to < 0) {
      return -1;
    }
    int n = to - from;
    if (n == 0) {
      return 0;
    }
    int padding = json.charAt(to - 1) == '=' ? (json.charAt(to - 2) == '=' ? 2 : 1) : 0;
    return n / 4 * 3 - padding;
  }

  /**
   * Reads the sequence number the load generator wrote into the first four bytes of the audio of
   * the base64 string value of {@code key}.
   *
   * @return the number, or -1 if absent
   */
  static long sequence(String json, String key) {
    String needle = "\"" + key + "\":\"";
    int i = json.indexOf(needle);
    if (i < 0 || i + needle.length() + 8 > json.length()) {
      return -1;
    }
    return sequenceOf(json, i + needle.length());
  }

  /** Reads the sequence number stamped in the audio whose base64 starts at {@code from}. */
  static long sequenceOf(String base64, int from) {
    if (from + 8 > base64.length()) {
      return -1;
    }
    byte[] b;
    try {
      b = java.util.Base64.getDecoder().decode(base64.substring(from, from + 8));
    } catch (IllegalArgumentException e) {
      return -1;
    }
    return ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
  }

  /** Writes a sequence number into the first four bytes of an audio frame. */
  static void stamp(byte[] frame, long sequence) {
    frame[0] = (byte) (sequence >>> 24);
    frame[1] = (byte) (sequence >>> 16);
    frame[2] = (byte) (sequence >>> 8);
    frame[3] = (byte) sequence;
  }
}
