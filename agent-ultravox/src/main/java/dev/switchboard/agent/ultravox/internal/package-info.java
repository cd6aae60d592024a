/**
 * Not API: the JSON codecs, value helpers and error mapping shared by the Ultravox classes. Public
 * types here may change or disappear in any release.
 */
@NullMarked
package dev.switchboard.agent.ultravox.internal;

import org.jspecify.annotations.NullMarked;
