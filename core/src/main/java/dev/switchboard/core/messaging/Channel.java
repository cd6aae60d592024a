package dev.switchboard.core.messaging;

/** The network a participant is reached on. */
public enum Channel {
  /** SMS/MMS to a phone number. */
  SMS,
  /** WhatsApp to a phone number. */
  WHATSAPP,
  /** A chat client identity inside the provider (no phone network). */
  CHAT
}
