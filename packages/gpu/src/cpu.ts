/**
 * The CPU path: runs a checked request with `@webembed/core`'s exact search over the host copy
 * of an index. The GPU path must return exactly what this returns (float scores within
 * rounding).
 *
 * @module
 */
import {
  searchBinaryAsymmetric,
  searchFloat,
  searchHamming,
  searchInt8,
  searchTwoStage,
  type TopK,
} from '@webembed/core';
import { type HostColumns, hostBinary, hostFloat32, hostFloatRows, hostInt8, hostSkip } from './host.js';
import type { SearchRequest } from './request.js';

/** Answers a request on the CPU with core's search functions. */
export function searchOnCpu(host: HostColumns, request: SearchRequest): TopK {
  const skip = hostSkip(host);
  const { k } = request;
  switch (request.mode) {
    case 'hamming':
      return searchHamming(request.queries, hostBinary(host), { k, skip });
    case 'asymmetric':
    case 'asymmetric-l1':
      return searchBinaryAsymmetric(request.queries, hostBinary(host), {
        k,
        skip,
        correction: request.mode === 'asymmetric-l1' ? 'l1' : 'none',
      });
    case 'float32':
    case 'cosine':
      return searchFloat(request.queries, hostFloatRows(host), {
        k,
        skip,
        metric: request.mode === 'cosine' ? 'cosine' : 'dot',
      });
    case 'int8':
      return searchInt8(request.queries, hostInt8(host), { k, skip });
    case 'binary-rescore':
      return searchTwoStage(
        request.queries,
        {
          binary: hostBinary(host),
          ...(host.kinds.has('int8') ? { int8: hostInt8(host) } : {}),
          ...(host.kinds.has('float32') ? { float32: hostFloat32(host) } : {}),
        },
        {
          k,
          skip,
          oversample: request.oversample,
          candidates: request.candidates,
          rescore: request.rescore,
        },
      );
  }
}
