import { Column, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { Application } from './application.entity.js';

/**
 * The columns of a row that belongs to one application: found by it (indexed) and deleted with
 * it (ON DELETE CASCADE). The partitioned tables (messages and the rows that follow them) keep
 * their application id without a foreign key and do not use this.
 */
export abstract class ApplicationOwned {
  @Index()
  @Column({ name: 'application_id', type: 'uuid' })
  applicationId!: string;

  @ManyToOne(() => Application, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'application_id' })
  application?: Relation<Application>;
}
