"""政策与法律问答: the FAQ entries as the last import left them, and drivers' 👍/👎 votes.

An entry's `helpful` and `unhelpful` are kept equal to the number of its votes each way: a vote
first takes the entry's row lock (a write), then reads, adds or turns the voter's one vote
(unique per user and entry) and moves the counters in the same transaction, so two taps at
once, even on two workers, count once. An import keeps the counters of the keys it keeps and
deletes the votes of the keys it drops (the foreign key cascades too, for a vote that lands
while the import waits on that row).
"""
