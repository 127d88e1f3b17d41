export { freeTcpPort as freePort } from '../../runtime/free-port.js';
