package io.stored.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stored.auth.Tokens.Decision;
import io.stored.auth.Tokens.Role;
import org.junit.jupiter.api.Test;

class TokensTest {
  private static final Tokens TOKENS =
      Tokens.parse(
          """
          # comments and blank lines are ignored

          writer-0123456789abcdef   default=write,*=read
          admin-0123456789abcdef    *=admin
          reader-0123456789abcdef   users=read
          """);

  @Test
  void rolesIncludeTheLowerOnes_perNamespace_withTheWildcard() {
    assertThat(TOKENS.size()).isEqualTo(3);
    assertThat(TOKENS.check("writer-0123456789abcdef", "default", Role.WRITE))
        .isEqualTo(Decision.ALLOWED);
    assertThat(TOKENS.check("writer-0123456789abcdef", "default", Role.READ))
        .isEqualTo(Decision.ALLOWED);
    assertThat(TOKENS.check("writer-0123456789abcdef", "other", Role.READ))
        .isEqualTo(Decision.ALLOWED);
    assertThat(TOKENS.check("writer-0123456789abcdef", "other", Role.WRITE))
        .isEqualTo(Decision.FORBIDDEN);
    assertThat(TOKENS.check("writer-0123456789abcdef", "default", Role.ADMIN))
        .isEqualTo(Decision.FORBIDDEN);
    assertThat(TOKENS.check("admin-0123456789abcdef", "anything", Role.ADMIN))
        .isEqualTo(Decision.ALLOWED);
    assertThat(TOKENS.check("reader-0123456789abcdef", "users", Role.READ))
        .isEqualTo(Decision.ALLOWED);
    assertThat(TOKENS.check("reader-0123456789abcdef", "default", Role.READ))
        .isEqualTo(Decision.FORBIDDEN);
  }

  @Test
  void noOrUnknownToken_isUnauthenticated() {
    assertThat(TOKENS.check(null, "default", Role.READ)).isEqualTo(Decision.UNAUTHENTICATED);
    assertThat(TOKENS.check("writer-0123456789abcdeX", "default", Role.READ))
        .isEqualTo(Decision.UNAUTHENTICATED);
    assertThat(TOKENS.check("", "default", Role.READ)).isEqualTo(Decision.UNAUTHENTICATED);
  }

  @Test
  void aMalformedLine_isNamed_butTheTokenIsNeverShown() {
    assertThatThrownBy(() -> Tokens.parse("secret-0123456789abcdef default=owner"))
        .hasMessageContaining("line 1")
        .hasMessageContaining("owner")
        .hasMessageNotContaining("secret-0123456789abcdef");
    assertThatThrownBy(() -> Tokens.parse("ok-0123456789abcdef default=read\nshort default=read"))
        .hasMessageContaining("line 2")
        .hasMessageContaining("16 characters")
        .hasMessageNotContaining("short default");
    assertThatThrownBy(() -> Tokens.parse("secret-0123456789abcdef"))
        .hasMessageContaining("line 1")
        .hasMessageNotContaining("secret");
  }
}
