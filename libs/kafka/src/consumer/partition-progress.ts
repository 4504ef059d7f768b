/**
 * Tracks the messages of one partition that are being processed out of order, and answers
 * which offset is safe to commit: the lowest one not yet finished (or one past the last seen
 * when everything is finished). Offsets arrive in increasing order, so a queue suffices.
 */
export class PartitionProgress {
  private readonly order: bigint[] = [];
  private head = 0;
  private readonly finished = new Set<bigint>();
  private lastAdded: bigint | null = null;

  add(offset: bigint): void {
    this.order.push(offset);
    this.lastAdded = offset;
  }

  finish(offset: bigint): void {
    this.finished.add(offset);
    while (this.head < this.order.length && this.finished.delete(this.order[this.head]!)) this.head++;
    // Drop the finished prefix now and then instead of shifting on every call.
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Messages added and not yet finished. */
  get pending(): number {
    return this.order.length - this.head - this.finished.size;
  }

  /** The offset to commit (Kafka's "next offset to read"), or null before any message. */
  committable(): bigint | null {
    if (this.head < this.order.length) return this.order[this.head]!;
    return this.lastAdded === null ? null : this.lastAdded + 1n;
  }
}
