package dev.switchboard.agent.ultravox.model;

import org.jspecify.annotations.Nullable;

/**
 * Which page of a list to fetch: a cursor from the previous {@link Page} (null for the first page),
 * a page size (null for Ultravox's default) and, where the list supports it, a search string.
 * Immutable.
 *
 * <pre>{@code
 * Page<Agent> first = client.listAgents(PageRequest.ofSize(50));
 * Page<Agent> second = client.listAgents(PageRequest.ofSize(50).withCursor(first.next()));
 * }</pre>
 *
 * @param cursor the opaque cursor of the page, or null for the first
 * @param pageSize how many results per page, at least 1, or null for the default
 * @param search a search string (agents), or null
 */
public record PageRequest(
    @Nullable String cursor, @Nullable Integer pageSize, @Nullable String search) {

  /**
   * Validates the components.
   *
   * @throws IllegalArgumentException if the page size is below 1 or the cursor or search is blank
   */
  public PageRequest {
    if (pageSize != null && pageSize < 1) {
      throw new IllegalArgumentException("pageSize must be at least 1, got " + pageSize);
    }
    Checks.notBlank(cursor, "cursor");
    Checks.notBlank(search, "search");
  }

  /**
   * Returns a request for the first page with the default size.
   *
   * @return the request
   */
  public static PageRequest first() {
    return new PageRequest(null, null, null);
  }

  /**
   * Returns a request for the first page of a given size.
   *
   * @param pageSize at least 1
   * @return the request
   */
  public static PageRequest ofSize(int pageSize) {
    return new PageRequest(null, pageSize, null);
  }

  /**
   * Returns this request for the page at a cursor.
   *
   * @param cursor a {@link Page#next()} or {@link Page#previous()}; null for the first page
   * @return the request
   */
  public PageRequest withCursor(@Nullable String cursor) {
    return new PageRequest(cursor, pageSize, search);
  }

  /**
   * Returns this request with a search string.
   *
   * @param search the search string; null for none
   * @return the request
   */
  public PageRequest withSearch(@Nullable String search) {
    return new PageRequest(cursor, pageSize, search);
  }
}
