package dev.switchboard.codec;

/** Argument checks shared by the stateful converters. */
final class Buffers {
  private Buffers() {}

  /**
   * Checks that {@code needed} elements fit in an array of {@code length} from {@code offset}.
   *
   * @throws IndexOutOfBoundsException naming the need and the room
   */
  static void requireRoom(int needed, int offset, int length, String unit) {
    if (offset < 0 || needed > length - offset) {
      throw new IndexOutOfBoundsException(
          "output needs "
              + needed
              + " "
              + unit
              + " from index "
              + offset
              + " but the array holds "
              + length);
    }
  }
}
