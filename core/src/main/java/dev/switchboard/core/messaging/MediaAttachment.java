package dev.switchboard.core.messaging;

import java.net.URI;
import java.util.Objects;

/**
 * A file attached to a message (an image, a PDF). Immutable.
 *
 * @param url where the file can be fetched (provider URLs may need the account's credentials)
 * @param contentType its MIME type, e.g. {@code image/jpeg}, or empty if unknown
 * @param filename its name, or empty if unknown
 * @param size its size in bytes, or -1 if unknown
 */
public record MediaAttachment(URI url, String contentType, String filename, long size) {
  /** Validates the components. */
  public MediaAttachment {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(filename, "filename");
    if (size < -1) {
      throw new IllegalArgumentException("size must be -1 (unknown) or more, got " + size);
    }
  }

  /**
   * Returns an attachment known only by its URL.
   *
   * @param url where the file is
   * @return the attachment
   */
  public static MediaAttachment of(URI url) {
    return new MediaAttachment(url, "", "", -1);
  }
}
