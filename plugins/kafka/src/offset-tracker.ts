import type { PartitionOffset, TopicPartition } from './kafka-client.js';

/**
 * Where a delivered chunk of a partition ends, as KafkaInput hands it to core with the chunk and
 * gets it back in `acknowledged`. The epoch ties it to one ownership of the partition.
 */
export interface KafkaPosition {
  readonly epoch: number;
  /** One past the chunk's last offset: the offset to commit once the chunk is acknowledged. */
  readonly next: bigint;
}

/** A commit to make: the next offset to read, for one ownership of a partition. */
export interface DueCommit extends PartitionOffset {
  readonly epoch: number;
  readonly next: bigint;
}

/** What an assignment changed. */
export interface AssignmentChange {
  /** Partitions kept from the previous generation, with the offset to resume fetching at. */
  readonly resume: readonly PartitionOffset[];
  readonly added: readonly TopicPartition[];
  readonly revoked: readonly TopicPartition[];
}

interface PartitionState extends TopicPartition {
  readonly epoch: number;
  /** One past the last offset delivered into the pipeline. */
  delivered: bigint | undefined;
  /** One past the last offset every output acknowledged (with every offset before it). */
  acknowledged: bigint | undefined;
  /** The last offset committed. */
  committed: bigint | undefined;
}

/** The stream id core tracks a partition's deliveries under. */
export function streamOf(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

/**
 * The partitions this member owns and, per partition, what was delivered, acknowledged and
 * committed. Commits come only from here, so they only ever name an owned partition and never
 * pass the contiguous acknowledged prefix.
 *
 * Each ownership of a partition has its own epoch. A partition kept across a rebalance by the
 * same member keeps its epoch and its in-flight deliveries (nobody else owned it in between). A
 * partition that is revoked, or every partition when the member changes (it was fenced, or the
 * client restarted), is dropped: acknowledgements of its old deliveries are then ignored, and its
 * new owner reads from the last commit, so in-flight records are read twice, never lost.
 */
export class OffsetTracker {
  readonly #partitions = new Map<string, PartitionState>();
  #epoch = 0;
  #memberId: string | undefined;

  /** The partitions owned now. */
  get owned(): readonly TopicPartition[] {
    return [...this.#partitions.values()].map(({ topic, partition }) => ({ topic, partition }));
  }

  /** True while some owned partition has delivered records that are not yet acknowledged. */
  get inFlight(): boolean {
    for (const s of this.#partitions.values()) {
      if (s.delivered !== undefined && s.delivered !== s.acknowledged) return true;
    }
    return false;
  }

  /** Applies the assignment of a join; `memberId` tells whether this member kept its identity. */
  assign(memberId: string, partitions: readonly TopicPartition[]): AssignmentChange {
    const sameMember = memberId === this.#memberId;
    this.#memberId = memberId;
    const previous = new Map(this.#partitions);
    this.#partitions.clear();
    const resume: PartitionOffset[] = [];
    const added: TopicPartition[] = [];
    for (const { topic, partition } of partitions) {
      const key = streamOf(topic, partition);
      const kept = sameMember ? previous.get(key) : undefined;
      previous.delete(key);
      if (kept !== undefined) {
        this.#partitions.set(key, kept);
        if (kept.delivered !== undefined) {
          resume.push({ topic, partition, offset: kept.delivered.toString() });
        }
      } else {
        const epoch = ++this.#epoch;
        const fresh = { delivered: undefined, acknowledged: undefined, committed: undefined };
        this.#partitions.set(key, { topic, partition, epoch, ...fresh });
        added.push({ topic, partition });
      }
    }
    const revoked = [...previous.values()].map(({ topic, partition }) => ({ topic, partition }));
    return { resume, added, revoked };
  }

  /** Forgets every partition: the member lost them all (crash, stop). */
  clear(): void {
    this.#partitions.clear();
    this.#memberId = undefined;
  }

  /**
   * The position to deliver with a chunk that ends before `next`, or undefined when the partition
   * is not owned.
   */
  deliver(topic: string, partition: number, next: bigint): KafkaPosition | undefined {
    const state = this.#partitions.get(streamOf(topic, partition));
    if (state === undefined) return undefined;
    state.delivered = next;
    return { epoch: state.epoch, next };
  }

  /** Where fetching of an owned partition stands (one past the last delivered offset). */
  deliveredUpTo(topic: string, partition: number): bigint | undefined {
    return this.#partitions.get(streamOf(topic, partition))?.delivered;
  }

  /** True when `topic`/`partition` is owned now. */
  owns(topic: string, partition: number): boolean {
    return this.#partitions.has(streamOf(topic, partition));
  }

  /**
   * Records that everything up to `position` of `stream` is acknowledged. Returns false (and
   * changes nothing) when the position belongs to an ownership that has ended.
   */
  acknowledge(stream: string, position: KafkaPosition): boolean {
    const state = this.#partitions.get(stream);
    if (state === undefined || state.epoch !== position.epoch) return false;
    if (state.acknowledged === undefined || position.next > state.acknowledged) {
      state.acknowledged = position.next;
    }
    return true;
  }

  /** The commits to make now: owned partitions acknowledged past their last commit. */
  due(): DueCommit[] {
    const out: DueCommit[] = [];
    for (const s of this.#partitions.values()) {
      const next = s.acknowledged;
      if (next !== undefined && (s.committed === undefined || next > s.committed)) {
        out.push({ topic: s.topic, partition: s.partition, offset: next.toString(), epoch: s.epoch, next });
      }
    }
    return out;
  }

  /** Records that `commits` succeeded (for the ownerships that still exist). */
  committed(commits: readonly DueCommit[]): void {
    for (const c of commits) {
      const state = this.#partitions.get(streamOf(c.topic, c.partition));
      if (state === undefined || state.epoch !== c.epoch) continue;
      if (state.committed === undefined || c.next > state.committed) state.committed = c.next;
    }
  }
}
