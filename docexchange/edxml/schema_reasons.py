"""libxml2's schema and syntax reasons, said in Vietnamese.

The English reason comes from libxml2 and names the value, the pattern or the expected
elements; a clerk who reads only Vietnamese must learn the same thing, so the common forms are
rewritten with their details kept. A reason no pattern knows is kept in English behind a
Vietnamese lead-in, never dropped.
"""

from __future__ import annotations

import re

_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), vietnamese)
    for pattern, vietnamese in (
        (r"This element is not expected\. Expected is one of \( (.*) \)\.",
         r"phần tử này không được phép ở đây; cần một trong các phần tử ( \1 )."),
        (r"This element is not expected\. Expected is \( (.*) \)\.",
         r"phần tử này không được phép ở đây; cần phần tử ( \1 )."),
        (r"This element is not expected\.", "phần tử này không được phép ở đây."),
        (r"Missing child element\(s\)\. Expected is one of \( (.*) \)\.",
         r"thiếu phần tử con; cần một trong các phần tử ( \1 )."),
        (r"Missing child element\(s\)\. Expected is \( (.*) \)\.",
         r"thiếu phần tử con ( \1 )."),
        (r"\[facet 'pattern'\] The value '(.*)' is not accepted by the pattern '(.*)'\.",
         r"giá trị '\1' không đúng mẫu '\2'."),
        (r"\[facet 'maxLength'\] The value has a length of '(\d+)'; this exceeds the allowed "
         r"maximum length of '(\d+)'\.",
         r"giá trị dài \1 ký tự, vượt quá mức tối đa \2 ký tự."),
        (r"\[facet 'minLength'\] The value has a length of '(\d+)'; this underruns the allowed "
         r"minimum length of '(\d+)'\.",
         r"giá trị dài \1 ký tự, ngắn hơn mức tối thiểu \2 ký tự (không được để trống)."),
        (r"\[facet 'maxInclusive'\] The value '(.*)' is greater than the maximum value allowed "
         r"\('(.*)'\)\.",
         r"giá trị '\1' lớn hơn mức tối đa cho phép ('\2')."),
        (r"\[facet 'minInclusive'\] The value '(.*)' is less than the minimum value allowed "
         r"\('(.*)'\)\.",
         r"giá trị '\1' nhỏ hơn mức tối thiểu cho phép ('\2')."),
        (r"'(.*)' is not a valid value of the (?:atomic|union|local atomic) type '(.*)'\.",
         r"'\1' không phải giá trị hợp lệ của kiểu '\2'."),
        (r"Character content other than whitespace is not allowed because the content type "
         r"is 'element-only'\.",
         "phần tử này chỉ được chứa phần tử con, không được chứa văn bản."),
        (r"Element content is not allowed, because the content type is a simple type "
         r"definition\.",
         "phần tử này chỉ được chứa văn bản, không được chứa phần tử con."),
        (r"The attribute '(.*)' is not allowed\.", r"thuộc tính '\1' không được phép."),
        (r"No matching global declaration available for the validation root\.",
         "phần tử gốc không phải edXML của QCVN 102:2016."),
        (r"Opening and ending tag mismatch: (\S+) line (\d+) and (\S+)",
         r"thẻ mở \1 (dòng \2) không khớp với thẻ đóng \3."),
        (r"Namespace prefix (\S+) (?:on|for) (\S+)(?: on (\S+))? is not defined",
         r"tiền tố không gian tên \1 của \2 chưa được khai báo."),
        (r"Premature end of data in tag (\S+) line (\d+)",
         r"dữ liệu kết thúc khi thẻ \1 (dòng \2) chưa đóng."),
        (r"Start tag expected, '<' not found", "không tìm thấy thẻ mở đầu '<'."),
        (r"Extra content at the end of the document", "có nội dung thừa sau phần tử gốc."),
        (r"Document is empty", "tài liệu rỗng."),
    )
)


def in_vietnamese(reason: str) -> str:
    """The reason in Vietnamese, its values, names and patterns kept as they are."""
    for pattern, vietnamese in _RULES:
        if match := pattern.search(reason):
            return match.expand(vietnamese)
    return f"lý do (theo bộ kiểm tra, tiếng Anh): {reason}"
