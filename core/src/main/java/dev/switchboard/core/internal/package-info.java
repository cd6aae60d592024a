/**
 * Not API: helpers shared by Switchboard's own modules (provider modules and fakes). Anything here
 * may change without notice; applications must not use it.
 */
@NullMarked
package dev.switchboard.core.internal;

import org.jspecify.annotations.NullMarked;
