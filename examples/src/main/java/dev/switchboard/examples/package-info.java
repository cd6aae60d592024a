/**
 * Runnable programs, one per scenario. Run the default one with {@code mvn -B -q -pl examples -am
 * compile exec:java}; pick another with {@code -Dexample=<class>}.
 */
package dev.switchboard.examples;
