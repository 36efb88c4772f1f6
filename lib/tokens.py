"""Special token ids, defined once for the whole course (course spec section 4).

Every sequence uses PAD=0 (padding at the end), BOS=1 (begin), EOS=2 (end), UNK=3 (a word outside
the vocabulary). BOS is never reused as PAD. Everything else imports these names; nothing writes a
literal 0 for padding.
"""

PAD_ID = 0
BOS_ID = 1
EOS_ID = 2
UNK_ID = 3

SPECIAL_TOKENS = ("<pad>", "<bos>", "<eos>", "<unk>")  # SPECIAL_TOKENS[id]
