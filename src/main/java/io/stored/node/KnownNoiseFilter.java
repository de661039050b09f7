package io.stored.node;

import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Drops two log records of the libraries that are not news, by logger and message, and nothing else
 * (the console and file handlers use it, see application.properties):
 *
 * <ul>
 *   <li>Vert.x's ERROR "First received frame was not SETTINGS" for a connection that sent the
 *       HTTP/2 preface and then something else. A client's protocol error, not the server's, and
 *       one line per connection: any client could fill the log with it. The connection is closed
 *       either way.
 *   <li>Micrometer's WARN at start-up that the {@code vertx.http.connections.*} gauges were already
 *       registered: Quarkus registers them for the data port and again for the management interface
 *       (quarkusio/quarkus#46539).
 * </ul>
 */
@LoggingFilter(name = "stored-known-noise")
public final class KnownNoiseFilter implements Filter {
  @Override
  public boolean isLoggable(LogRecord record) {
    String logger = record.getLoggerName();
    if (logger == null) {
      return true;
    }
    if (logger.equals("io.vertx.core.net.impl.ConnectionBase")) {
      return !message(record).startsWith("First received frame was not SETTINGS");
    }
    if (logger.equals("io.micrometer.core.instrument.MeterRegistry")) {
      String m = message(record);
      return !(m.startsWith("This Gauge has been already registered")
          && m.contains("name='vertx.http.connections."));
    }
    return true;
  }

  private static String message(LogRecord record) {
    String m = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
    return m == null ? "" : m;
  }
}
