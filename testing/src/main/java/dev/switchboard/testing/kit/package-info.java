/**
 * Compatibility kits: abstract JUnit 5 test classes, one per SPI, that every implementation's tests
 * extend to prove it keeps the SPI's contract. A kit asks for a component (wired to fakes) through
 * an abstract factory method and for optional capabilities through hook methods; tests of
 * capabilities a component does not have are skipped with the reason. Provider modules add their
 * protocol-specific groups on top.
 */
@NullMarked
package dev.switchboard.testing.kit;

import org.jspecify.annotations.NullMarked;
