package dev.switchboard.agent.ultravox.model;

import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One page of a cursor-paginated list. Ultravox answers with full {@code next}/{@code previous}
 * URLs; this page holds the cursors taken from them, ready for {@link PageRequest#withCursor}.
 * Immutable.
 *
 * @param results the page's items
 * @param next the cursor of the next page, or null on the last page
 * @param previous the cursor of the previous page, or null on the first page
 * @param total the total number of items across pages, if Ultravox said
 * @param <T> the item type
 */
public record Page<T>(
    List<T> results, @Nullable String next, @Nullable String previous, @Nullable Integer total) {

  /** Copies the results. */
  public Page {
    results = List.copyOf(results);
  }

  /**
   * Tells whether there is a next page.
   *
   * @return true when {@link #next()} is set
   */
  public boolean hasNext() {
    return next != null;
  }

  /**
   * Returns the request for the next page, keeping the page size and search of {@code request}.
   *
   * @param request the request this page answered
   * @return the next page's request, if there is a next page
   */
  public Optional<PageRequest> nextRequest(PageRequest request) {
    return next == null ? Optional.empty() : Optional.of(request.withCursor(next));
  }
}
