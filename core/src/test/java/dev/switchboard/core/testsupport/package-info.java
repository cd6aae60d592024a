/**
 * Helpers shared by core's tests (core's tests cannot use the testing module, which needs core).
 */
package dev.switchboard.core.testsupport;
