import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * How far fanout has routed each partition of an events topic: every event below next_offset
 * has its status rows and its delivery tasks. An ordered message is sent only once this has
 * passed its own event, so no earlier message of its key can still appear (docs/adr/0012).
 */
@Entity({ name: 'fanout_progress' })
export class FanoutProgress {
  @PrimaryColumn({ type: 'varchar', length: 255 })
  topic!: string;

  @PrimaryColumn({ type: 'integer' })
  partition!: number;

  @Column({ name: 'next_offset', type: 'bigint' })
  nextOffset!: string;
}
