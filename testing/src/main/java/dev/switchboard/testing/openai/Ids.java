package dev.switchboard.testing.openai;

import java.util.concurrent.ThreadLocalRandom;

/** Identifiers shaped like OpenAI's: a prefix, an underscore and 21 letters and digits. */
final class Ids {
  private static final String ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  private Ids() {}

  static String next(String prefix) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    StringBuilder id = new StringBuilder(prefix).append('_');
    for (int i = 0; i < 21; i++) {
      id.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return id.toString();
  }
}
