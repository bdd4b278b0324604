#include "intake/domain/text.h"

#include <gtest/gtest.h>

namespace leadflow::intake {
namespace {

TEST(Utf8Test, Validity) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("Генеральный директор"));
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));   // emoji
  EXPECT_FALSE(IsValidUtf8("\xC3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("ok\xFF"));
  EXPECT_FALSE(IsValidUtf8("\x80"));
}

TEST(Utf8Test, CodePointCount) {
  EXPECT_EQ(CodePointCount(""), 0u);
  EXPECT_EQ(CodePointCount("abc"), 3u);
  EXPECT_EQ(CodePointCount("Ёж"), 2u);
  EXPECT_EQ(CodePointCount("\xF0\x9F\x98\x80x"), 2u);
}

TEST(Utf8Test, LowerCasesCyrillicBlock) {
  EXPECT_EQ(Utf8Lower("ГЕНЕРАЛЬНЫЙ Директор"), "генеральный директор");
  EXPECT_EQ(Utf8Lower("ЁЛКА"), "ёлка");
  EXPECT_EQ(Utf8Lower("ЀЂЃЄЅІЇЈЉЊЋЌЍЎЏ"), "ѐђѓєѕіїјљњћќѝўџ");
  EXPECT_EQ(Utf8Lower("АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"), "абвгдежзийклмнопрстуфхцчшщъыьэюя");
  EXPECT_EQ(Utf8Lower("ҐҒӘӨҮҺ"), "ґғәөүһ");  // Ukrainian / Kazakh letters
  EXPECT_EQ(Utf8Lower("ӀӁ"), "ӏӂ");
  EXPECT_EQ(Utf8Lower("Ѡ"), "ѡ");
  EXPECT_EQ(Utf8Lower("CEO Ünïcode ×"), "ceo ünïcode ×");
  EXPECT_EQ(Utf8Lower("уже строчные"), "уже строчные");
  EXPECT_EQ(Utf8Lower("bad\xFFtail"), "bad\xFFtail");
}

TEST(Utf8Test, LowerCodePointLeavesSmallLetters) {
  for (char32_t c = 0x0430; c <= 0x045F; ++c) EXPECT_EQ(LowerCodePoint(c), c);
  EXPECT_EQ(LowerCodePoint(0x0461), 0x0461u);
}

TEST(TextTest, TrimAndAsciiLower) {
  EXPECT_EQ(TrimAscii("  a b \t\n"), "a b");
  EXPECT_EQ(TrimAscii("   "), "");
  EXPECT_EQ(AsciiLower("Example.RU"), "example.ru");
  EXPECT_EQ(AsciiLower("ЖЖ"), "ЖЖ");
}

TEST(TextTest, ControlCharacters) {
  EXPECT_FALSE(HasControlCharacter(""));
  EXPECT_FALSE(HasControlCharacter("spring-webinar_2026.v2 Весна é"));
  EXPECT_TRUE(HasControlCharacter(std::string("a\0b", 3)));
  EXPECT_TRUE(HasControlCharacter("a\tb"));
  EXPECT_TRUE(HasControlCharacter("a\nb"));
  EXPECT_TRUE(HasControlCharacter("a\x1F"));
  EXPECT_TRUE(HasControlCharacter("a\x7F"));
  EXPECT_TRUE(HasControlCharacter("a\xC2\x80"));   // U+0080
  EXPECT_TRUE(HasControlCharacter("a\xC2\x9F"));   // U+009F
  EXPECT_FALSE(HasControlCharacter("a\xC2\xA0"));  // U+00A0, no-break space
}

}  // namespace
}  // namespace leadflow::intake
