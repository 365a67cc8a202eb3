import type { BeidReadout as CardReadout } from '@t1c/smartcard/beid';
import type { BeidReadout } from '../../ipc/index.js';

/**
 * The card module's readout as the contract carries it: the fields the API shows, picked one
 * by one, so a field added on the card side never crosses to the API unnoticed.
 */
export function toContractReadout(r: CardReadout): BeidReadout {
  const id = r.identity;
  const t = r.tokenInfo;
  return {
    applet: r.applet,
    cardData: {
      serialNumber: r.cardData.serialNumber,
      componentCode: r.cardData.componentCode,
      appletVersion: r.cardData.appletVersion,
      appletLifeCycle: r.cardData.appletLifeCycle,
    },
    tokenInfo: {
      raw: t.raw, version: t.version, serialNumber: t.serialNumber, label: t.label,
      graphicalPersoVersion: t.graphicalPersoVersion, electricalPersoVersion: t.electricalPersoVersion,
      electricalPersoInterfaceVersion: t.electricalPersoInterfaceVersion, rfu: t.rfu,
    },
    identity: {
      ...(id.fileVersion !== undefined ? { fileVersion: id.fileVersion } : {}),
      cardNumber: id.cardNumber, chipNumber: id.chipNumber, validityBeginDate: id.validityBeginDate,
      validityEndDate: id.validityEndDate, issuingMunicipality: id.issuingMunicipality, nationalNumber: id.nationalNumber,
      surname: id.surname, firstNames: id.firstNames, thirdNameInitial: id.thirdNameInitial, nationality: id.nationality,
      birthLocation: id.birthLocation, birthDate: id.birthDate, gender: id.gender, nobility: id.nobility,
      documentType: id.documentType, specialStatus: id.specialStatus, photoHash: id.photoHash,
    },
    identityFile: r.identityFile,
    identitySignatureFile: r.identitySignatureFile,
    address: {
      ...(r.address.fileVersion !== undefined ? { fileVersion: r.address.fileVersion } : {}),
      streetAndNumber: r.address.streetAndNumber, zipCode: r.address.zipCode, municipality: r.address.municipality,
    },
    addressFile: r.addressFile,
    addressSignatureFile: r.addressSignatureFile,
    photo: r.photo,
    certificates: r.certificates,
    integrity: r.integrity,
    apduCount: r.apduCount,
  };
}
