package io.stored.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Sends one HTTP/1.1 request byte for byte over a socket, for requests ordinary clients refuse to
 * build (bad percent-encoding, raw non-ASCII octets, odd methods). One request per connection;
 * reads the response by Content-Length.
 */
public final class RawHttp {
  private RawHttp() {}

  /** A parsed response. */
  public record Response(int status, Map<String, String> headers, byte[] body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** Sends {@code METHOD target} with no body to the server at {@code base}. */
  public static Response send(String base, String method, String target) throws IOException {
    return send(base, request(method, target, null, true));
  }

  /** Sends {@code METHOD target} with {@code body} (and its Content-Length). */
  public static Response send(String base, String method, String target, byte[] body)
      throws IOException {
    return send(base, request(method, target, body, true));
  }

  /** Sends raw request bytes on a new connection and reads one response. */
  public static Response send(String base, byte[] request) throws IOException {
    try (Connection c = connect(base)) {
      return c.send(request);
    }
  }

  /**
   * The bytes of a request. The target is written as UTF-8 octets, so it may hold raw non-ASCII
   * bytes; a null body sends no Content-Length.
   */
  public static byte[] request(String method, String target, byte[] body, boolean close) {
    String head =
        method
            + " "
            + target
            + " HTTP/1.1\r\nHost: localhost\r\n"
            + (body == null ? "" : "Content-Length: " + body.length + "\r\n")
            + (close ? "Connection: close\r\n" : "")
            + "\r\n";
    byte[] h = head.getBytes(StandardCharsets.UTF_8);
    byte[] all = java.util.Arrays.copyOf(h, h.length + (body == null ? 0 : body.length));
    if (body != null) {
      System.arraycopy(body, 0, all, h.length, body.length);
    }
    return all;
  }

  /** Opens a connection that can carry several requests, one after the other. */
  public static Connection connect(String base) throws IOException {
    URI uri = URI.create(base);
    Socket s = new Socket(uri.getHost(), uri.getPort());
    s.setSoTimeout(10_000);
    return new Connection(s);
  }

  /** One HTTP/1.1 connection; each {@link #send} writes a request and reads its response. */
  public static final class Connection implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;

    Connection(Socket socket) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
    }

    public Response send(byte[] request) throws IOException {
      write(request);
      return read();
    }

    /** Writes bytes without reading: part of a request, sent as a slow client would. */
    public void write(byte[] bytes) throws IOException {
      socket.getOutputStream().write(bytes);
      socket.getOutputStream().flush();
    }

    /** Bytes the server sent that no {@link #send} or {@link #read} has read yet. */
    public int unread() throws IOException {
      return in.available();
    }

    /** Reads the next response. */
    public Response read() throws IOException {
      String statusLine = line(in);
      int status = Integer.parseInt(statusLine.split(" ")[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      for (String l = line(in); !l.isEmpty(); l = line(in)) {
        int colon = l.indexOf(':');
        headers.put(
            l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
      }
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      return new Response(status, headers, in.readNBytes(length));
    }

    /** Whether the server closed its side (the next read sees the end of the stream). */
    public boolean closedByServer() throws IOException {
      return in.read() == -1;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }
}
