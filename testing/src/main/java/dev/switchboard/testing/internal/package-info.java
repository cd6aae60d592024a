/**
 * Helpers shared by the fakes of this module (speech detection on received audio, synthetic
 * speech-like audio, tracking of accepted connections). Not API: public only so that the fakes in
 * sibling packages can use them; they may change or disappear in any release.
 */
@NullMarked
package dev.switchboard.testing.internal;

import org.jspecify.annotations.NullMarked;
