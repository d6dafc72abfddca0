import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Fault, FaultSpec } from '../../../../chaos/contract/faults';
import { FaultEngine, type ChangeOrigin } from '../fault-engine.service';
import type { PropagationStatus } from '../fault-propagation';
import { AdminTokenGuard } from './admin-token.guard';
import { FaultSpecPipe } from './fault-spec.pipe';

const FAULT_SPEC_SCHEMA_REF = { $ref: '#/components/schemas/FaultSpec' };
const FAULT_SCHEMA_REF = { $ref: '#/components/schemas/Fault' };

function originOf(request: FastifyRequest): ChangeOrigin {
  return { source: 'admin-api', ip: request.ip, userAgent: request.headers['user-agent'] };
}

/** The admin API of the contract: switch faults on and off at runtime. */
@ApiTags('faults')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'missing or wrong bearer token' })
@Controller('admin/faults')
@UseGuards(AdminTokenGuard)
export class FaultsController {
  constructor(private readonly engine: FaultEngine) {}

  @Get()
  @ApiResponse({
    status: 200,
    schema: { type: 'object', properties: { faults: { type: 'array', items: FAULT_SCHEMA_REF } } },
  })
  list(): { faults: Fault[]; propagation?: PropagationStatus } {
    // `propagation` only when faults are shared between replicas (CHAOS_SYNC_REDIS_URL).
    const propagation = this.engine.propagation();
    return propagation ? { faults: this.engine.list(), propagation } : { faults: this.engine.list() };
  }

  @Post()
  @ApiBody({ schema: FAULT_SPEC_SCHEMA_REF })
  @ApiResponse({ status: 201, schema: FAULT_SCHEMA_REF })
  @ApiResponse({ status: 400, description: 'invalid fault; the message names the field' })
  @ApiResponse({ status: 409, description: 'not added: CHAOS_MAX_FAULTS faults are active; the message names the cap' })
  @ApiResponse({ status: 503, description: 'not added: fault propagation to the other replicas is down' })
  add(@Body(FaultSpecPipe) spec: FaultSpec, @Req() request: FastifyRequest): Promise<Fault> {
    return this.engine.add(spec, originOf(request));
  }

  /** The kill switch: every fault ends at once. */
  @Delete()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiResponse({ status: 204 })
  @ApiResponse({ status: 503, description: 'cleared on this replica only: fault propagation is down' })
  async clear(@Req() request: FastifyRequest): Promise<void> {
    await this.engine.clear(originOf(request));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiResponse({ status: 204 })
  @ApiResponse({ status: 404, description: 'no active fault with this id' })
  remove(@Param('id') id: string, @Req() request: FastifyRequest): Promise<void> {
    return this.engine.remove(id, originOf(request));
  }
}
