/** Small plain-Java helpers shared by the core packages. Depends on nothing but the JDK. */
package io.stored.common;
