import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { rfc3339 } from '../../common/time.js';
import type { Printer } from '../printer.model.js';
import { PRINTER_ERROR_BITS } from '../printer-status.js';
import type { PrinterStatusView } from '../printers.service.js';

export class PrinterSnmpDto {
  @ApiProperty({ example: 161 }) port!: number;
  @ApiProperty({ example: 2000 }) timeout_ms!: number;
}

export class PrinterLabelDto {
  @ApiProperty({ enum: [203, 300, 600] }) dpi!: number;
  @ApiProperty({ example: 62 }) width_mm!: number;
  @ApiProperty({ example: 29 }) height_mm!: number;
}

export class PrinterResponseDto {
  @ApiProperty({ description: 'UUIDv5 of model|host|port: stable across restarts and replicas' }) id!: string;
  @ApiProperty({ example: 'front-desk' }) name!: string;
  @ApiProperty({ example: 'ZD421' }) model!: string;
  @ApiProperty({ enum: ['zpl', 'file'] }) driver!: string;
  @ApiProperty({ example: '10.0.0.20' }) host!: string;
  @ApiProperty({ example: 9100 }) port!: number;
  @ApiProperty({ description: 'false once the printer has left the configuration' }) active!: boolean;
  @ApiProperty({ nullable: true, type: PrinterSnmpDto, description: 'The community is never shown.' })
  snmp!: PrinterSnmpDto | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'file printers: where labels are written' })
  dir!: string | null;
  @ApiProperty({ type: PrinterLabelDto }) label!: PrinterLabelDto;
  @ApiProperty() created_at!: string;
  @ApiProperty() updated_at!: string;
}

export class PrinterListDto {
  @ApiProperty({ type: [PrinterResponseDto] }) items!: PrinterResponseDto[];
}

export class SupplyLevelDto {
  @ApiProperty() index!: number;
  @ApiProperty({ example: 'Black Ribbon' }) description!: string;
  @ApiProperty({ description: 'prtMarkerSuppliesLevel, raw (-1 other, -2 unknown, -3 some remaining)' }) level!: number;
  @ApiProperty({ description: 'prtMarkerSuppliesMaxCapacity, raw' }) max_capacity!: number;
  @ApiProperty({ nullable: true, type: Number, description: '0-100, null when not a real quantity' })
  percent!: number | null;
}

export class PrinterStatusDto {
  @ApiProperty() printer_id!: string;
  @ApiProperty({ description: 'false when the last probe failed or the printer reports itself offline' })
  online!: boolean;
  @ApiProperty({ enum: ['idle', 'printing', 'warmup', 'other', 'unknown'] }) state!: string;
  @ApiProperty({ enum: PRINTER_ERROR_BITS, isArray: true }) errors!: string[];
  @ApiProperty({ type: [SupplyLevelDto] }) supplies!: SupplyLevelDto[];
  @ApiProperty({ nullable: true, type: String, description: 'time of the last good probe' }) captured_at!:
    string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'seconds since the last probe attempt' })
  last_probe_age_s!: number | null;
  @ApiProperty({ nullable: true, type: String }) last_error!: string | null;
  @ApiProperty({
    nullable: true,
    enum: ['never probed', 'stale'],
    description: '`never probed`: no good probe yet; `stale`: the last good probe is older than 90 s',
  })
  note!: string | null;
}

export function toPrinterResponse(p: Printer): PrinterResponseDto {
  return {
    id: p.id,
    name: p.name,
    model: p.model,
    driver: p.driver,
    host: p.host,
    port: p.port,
    active: p.active,
    snmp: p.config.snmp,
    dir: p.config.dir,
    label: p.config.label,
    created_at: rfc3339(p.createdAt),
    updated_at: rfc3339(p.updatedAt),
  };
}

export function toPrinterStatusResponse(s: PrinterStatusView): PrinterStatusDto {
  return {
    printer_id: s.printerId,
    online: s.online,
    state: s.state,
    errors: s.errors,
    supplies: s.supplies,
    captured_at: rfc3339(s.capturedAt),
    last_probe_age_s: s.lastProbeAgeS,
    last_error: s.lastError,
    note: s.note,
  };
}
