package dev.switchboard.core.resilience;

/**
 * The action a {@link RetryPolicy} or {@link CircuitBreaker} guards: a {@link
 * java.util.concurrent.Callable} whose checked exception is a type parameter, so that guarding an
 * action that throws nothing checked adds no {@code throws} clause, and guarding one that throws
 * {@code IOException} adds exactly that (the compiler infers {@code X} from the lambda, as in
 * Jdbi's {@code HandleCallback}).
 *
 * <pre>{@code
 * Call call = retry.call(Operation.idempotent("fetch call"), () -> client.fetchCall(sid));
 * // this call throws IOException, as Files.readString does:
 * String text = retry.call(Operation.idempotent("read"), () -> Files.readString(path));
 * }</pre>
 *
 * @param <T> the result type
 * @param <X> the checked exception the action may throw, {@code RuntimeException} when none
 */
@FunctionalInterface
public interface CheckedCallable<T, X extends Exception> {
  /**
   * Runs the action once.
   *
   * @return the result
   * @throws X if the action fails with its checked exception
   */
  T call() throws X;
}
