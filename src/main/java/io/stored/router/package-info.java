/**
 * The router: the one mutable reference to the current ring, plus locate. Plain Java with no I/O of
 * its own; it must not depend on Quarkus, Jakarta, Vert.x or fabric8.
 */
package io.stored.router;
