package dev.switchboard.core.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Not API. Creates plain sockets with {@code TCP_NODELAY}: media frames are small and must not wait
 * for Nagle's algorithm (OkHttp leaves it on), which adds up to a delayed-ACK period (~40 ms) to a
 * frame. Pass it to an OkHttp client's {@code socketFactory}. Thread-safe.
 */
public final class NoDelaySocketFactory extends SocketFactory {
  private final SocketFactory delegate = SocketFactory.getDefault();

  /** Creates the factory. */
  public NoDelaySocketFactory() {}

  @Override
  public Socket createSocket() throws IOException {
    return configure(delegate.createSocket());
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return configure(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return configure(delegate.createSocket(host, port, localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return configure(delegate.createSocket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return configure(delegate.createSocket(address, port, localAddress, localPort));
  }

  private static Socket configure(Socket socket) throws IOException {
    socket.setTcpNoDelay(true);
    return socket;
  }
}
