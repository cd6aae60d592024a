/**
 * JMH benchmarks of the library's hot paths, one invocation per 20 ms frame, reported in ns per
 * frame. Not published. Run with {@code java -jar benchmarks/target/benchmarks.jar} (see the module
 * README); and the load harness, {@link dev.switchboard.benchmarks.LoadHarness}, which runs
 * simulated calls through the real stack in one JVM.
 */
package dev.switchboard.benchmarks;
