// Cutting text to a receiver's size limit (Slack's 150-character header,
// PagerDuty's 1024-character summary, a stored answer's first bytes)
// without splitting a UTF-8 character, so what is sent stays valid UTF-8.
//
// Limits are counted in bytes: a text of at most N bytes has at most N
// characters, so a byte bound also keeps a character limit.
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vigil {

// The longest prefix of `text` of at most `max_bytes` bytes that does not
// end inside a UTF-8 character.
std::string CutUtf8(std::string_view text, size_t max_bytes);

// `text` when it has at most `max_bytes` bytes; otherwise its cut prefix
// followed by "…" (3 bytes), the whole at most `max_bytes` bytes ("" when
// even "…" does not fit).
std::string Abbreviate(std::string_view text, size_t max_bytes);

// `text` with the characters markup reads written as entities: & < > as
// &amp; &lt; &gt; (what Slack's mrkdwn escapes), and with `quotes` also
// " and ' as &quot; &#39; (HTML attribute values).
std::string EscapeEntities(std::string_view text, bool quotes);

}  // namespace vigil
