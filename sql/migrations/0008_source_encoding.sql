-- source_files.encoding now says what the decoders found in each file: the
-- file's encoding (utf-8, utf-16le, windows-1258, tcvn3, vni), and for a
-- workbook or JSON export whose cells mix Unicode and text typed with a
-- legacy font, each legacy encoding with where it was found, e.g.
-- "tcvn3 (tiêu đề, cột: Tên thủ tục), utf-8". The column stays VARCHAR.
COMMENT ON COLUMN source_files.encoding IS 'Bảng mã văn bản nhận ra: theo tệp, và theo cột khi lẫn bảng mã cũ (TCVN3, VNI) với Unicode, vd. "tcvn3 (tiêu đề, cột: Tên thủ tục), utf-8" / Text encoding detected, per file, and per column where legacy (TCVN3, VNI) and Unicode text mix';
