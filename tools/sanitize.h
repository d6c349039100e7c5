// tools/sanitize.h — text from a guest, a log or a results file is hostile
// until shown otherwise: what the tool prints to a terminal and writes to a
// CSV cell goes through here.
//
// terminal_safe: control characters (C0 but newline and tab, DEL, C1) and
// bytes that are not UTF-8 are written as "\xNN", so a name or reason can
// neither move the cursor, set the window title nor clear the screen.
// csv_text_cell: the same escapes for control and non-UTF-8 bytes (a NUL or
// 0xFF byte never reaches the file), and a cell a spreadsheet would take for
// a formula (it starts with = + - @, or a tab or CR) gets a leading
// apostrophe, OWASP's advice for CSV injection; csv_text_value undoes that
// apostrophe when the tool reads its CSV back.
// xml_text: the same escapes, then & < > " ' as entities, so the text is
// well-formed XML 1.0 character data or attribute value (SVG, HTML, JUnit).
// shell_quoted: a command line to show (run --verbose), quoted for a shell.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hvb::tools {

std::string terminal_safe(std::string_view s);
std::string csv_text_cell(std::string_view s);
std::string csv_text_value(std::string_view cell);
std::string xml_text(std::string_view s);

// A command as a POSIX shell reads it back: each argument bare when it is
// only letters, digits and _ . / : = , + % @ -, else in single quotes, or
// $'...' with \xNN escapes when it holds control or non-ASCII bytes. Safe to
// print and to paste: no argument can end the command or start another.
std::string shell_quoted(const std::vector<std::string>& argv);

}  // namespace hvb::tools
