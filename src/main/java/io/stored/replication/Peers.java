package io.stored.replication;

import java.util.concurrent.CompletionStage;

/**
 * How a store reaches the others: the transport, seen from the protocol. Implementations deliver a
 * message to the named member and complete with its reply, or exceptionally when it cannot be
 * reached within their deadline. The protocol never blocks on it.
 */
@FunctionalInterface
public interface Peers {
  CompletionStage<Reply> send(String member, Message message);
}
